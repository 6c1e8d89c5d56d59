"""Build configuration that pyproject.toml cannot express.

The top-level resources/ folder (icons, highlighting colours, sample designs)
is installed inside the package as console/_resources, where
console/resources.py finds it in an installed wheel. Everything else about the
project is in pyproject.toml.
"""
from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["console", "console.*"]) + ["console._resources"],
    package_dir={"console._resources": "resources"},
    package_data={"console": ["py.typed"], "console._resources": ["**/*"]},
    # Only what package_data names: resources/ subfolders are data, not packages.
    include_package_data=False,
)
