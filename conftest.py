"""Configuration de pytest pour tout le dépôt (carnets exécutés par nbval compris).

- ``TERRITOIRE_SOLUTIONS=executer`` : les solutions des exercices, masquées derrière un bouton
  « Voir la solution » dans JupyterLab, sont exécutées par nbval (voir ``territoire_lib/exercices.py``).
- ``TERRITOIRE_MON_TERRITOIRE=defaut`` : les carnets testés utilisent le territoire par défaut
  (Besançon), jamais celui qu'un développeur a choisi (voir ``territoire_lib/mon_territoire.py``).

Les noyaux lancés par nbval héritent de ces variables.
"""
import os


def pytest_configure(config):
    os.environ.setdefault("TERRITOIRE_SOLUTIONS", "executer")
    os.environ.setdefault("TERRITOIRE_MON_TERRITOIRE", "defaut")
