# Shortcuts over the npm scripts (the npm scripts are the reference).
.PHONY: install start test check ci fall help

help:
	@echo "make install | start | test | check | ci | fall"

install:
	npm ci

start:
	npm start

test:
	npm test

check:
	npm run check

# What CI runs, on this machine (installs Debian packages: run as root).
ci:
	bash .ci/run

# Trigger a fall in the system `make start` runs.
fall:
	npm run scenario -- fall
