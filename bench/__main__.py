"""`python -m bench` (or `make bench`): run every benchmark and print its figures."""

from bench import dashboard, qa

qa.main()
dashboard.main([])
