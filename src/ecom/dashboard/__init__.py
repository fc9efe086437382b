"""The dashboard: one spec (dashboards/spec.json), two renderings.

- `ecom.dashboard.spec`: load and validate the spec.
- `ecom.dashboard.quicksight`: the QuickSight data source, datasets and dashboard Definition.
- `ecom.dashboard.deploy`: create-or-update those on AWS through boto3.
- `ecom.dashboard.data` + `app.py`: the same sheets served locally with Streamlit.
- `ecom.cli.dashboard`: `ecom dashboards deploy|render` and `ecom dashboard`.
"""
