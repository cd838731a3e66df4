"""The local SQLite store: opening, migrations, backups and the tables' access functions."""

from jlip_desk.store.database import Store, StoreInfo

__all__ = ["Store", "StoreInfo"]
