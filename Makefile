# The two commands: `make run` and `make test`. Both install what they need first (scripts/setup.sh).
BUILD ?= build
BUILD_TYPE ?= RelWithDebInfo
CMAKE_FLAGS ?=

.PHONY: all setup configure build web run test check-layers bench fmt clean asan fuzz chaos

all: build

setup:
	@bash scripts/setup.sh

configure: setup
	@mkdir -p $(BUILD)
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS) > $(BUILD)/configure.log 2>&1 || (cat $(BUILD)/configure.log; exit 1)

build: configure web
	@ninja -C $(BUILD)

# The web app (web/build), served by the binary at /.
web: setup
	@bash scripts/build-web.sh

run: build
	@mkdir -p data
	SOUNDTIME_DATA_DIR=$${SOUNDTIME_DATA_DIR:-./data} ./$(BUILD)/soundtime serve

test: build
	@BUILD=$(BUILD) bash scripts/test.sh

# The same suites under AddressSanitizer and UndefinedBehaviorSanitizer, in their own build tree.
asan:
	@$(MAKE) --no-print-directory test BUILD=build-asan BUILD_TYPE=Debug CMAKE_FLAGS=-DSOUNDTIME_SANITIZE=ON

# Faults injected into the real server (kill -9, races, slowloris, SIGTERM), 20 trials each; make test runs 2.
chaos: build
	@BUILD=$(BUILD) bash scripts/chaos.sh

fuzz: setup
	@bash fuzz/run.sh $${FUZZ_SECONDS:-60}

check-layers:
	@bash scripts/check-layers.sh

bench: build
	@bash scripts/setup.sh bench
	@for b in http scan stream transcode catalog subsonic web; do echo "== bench/$$b.sh"; bash bench/$$b.sh || exit 1; done

fmt:
	@clang-format -i $$(git ls-files 'src/*.cpp' 'src/*.hpp' 'tests/*.cpp' 'tests/*.hpp')

clean:
	rm -rf $(BUILD) build-asan web/build web/.svelte-kit
