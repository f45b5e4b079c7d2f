"""Tests of life after the first deploy: update safety, compositions."""
