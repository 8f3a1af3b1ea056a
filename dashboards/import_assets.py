"""Import an Anju asset bundle (zip) into Superset, overwriting every object it holds.

Runs inside the Superset environment, with SUPERSET_CONFIG_PATH set (pipelines/superset_service.py
calls it):

    .venv-superset/bin/python dashboards/import_assets.py BUNDLE.zip USERNAME

Why not `superset import-dashboards`: it imports a dashboard's database, datasets and charts with
overwrite=False, so once they exist, edits to their YAML (or a new warehouse path) never reach
Superset. ImportAssetsCommand (the command behind POST /api/v1/assets/import/, meant for assets
kept under source control) overwrites them all, matching each object by uuid, so re-importing
updates in place and never duplicates.
"""

import sys
from zipfile import ZipFile


def main(bundle: str, username: str) -> int:
    from superset.app import create_app

    app = create_app()
    with app.app_context():
        # Superset's modules need the app context to import.
        from superset import security_manager
        from superset.commands.exceptions import CommandInvalidError
        from superset.commands.importers.v1.assets import ImportAssetsCommand
        from superset.commands.importers.v1.utils import get_contents_from_bundle
        from superset.utils.core import override_user

        user = security_manager.find_user(username=username)
        if user is None:
            print(f"import_assets: no Superset user {username!r}", file=sys.stderr)
            return 2
        with ZipFile(bundle) as zipped:
            contents = get_contents_from_bundle(zipped)
        # The importers check the current user's write permissions and make them the owner.
        with override_user(user):
            try:
                ImportAssetsCommand(contents).run()
            except CommandInvalidError as exc:
                # Validation errors otherwise surface as a bare "Error importing assets".
                print(f"import_assets: invalid bundle: {exc.normalized_messages()}", file=sys.stderr)
                return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
