"""Optimisation models, one subpackage per problem. Each holds its data types, formulation and
an independent plan checker. Nothing here imports from ``optimizer``."""
