.PHONY: run test bench
run:   ## install everything and run the desk with demo data on http://127.0.0.1:8000
	scripts/run.sh
test:  ## install everything and run lint plus the whole test suite (SQLite and PostgreSQL)
	scripts/test.sh
bench: ## run the benchmarks (see docs/benchmarks.md)
	bench/run.sh
