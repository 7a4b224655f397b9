"""Operations checks: CI, migrations, backups, environments, documentation."""
