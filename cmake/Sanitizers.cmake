# Sanitizers apply to every target of the build, the test fixtures included,
# so one preset runs the whole suite instrumented.
set(BD_SANITIZE_FLAGS "")
if(BD_ASAN)
  list(APPEND BD_SANITIZE_FLAGS -fsanitize=address)
endif()
if(BD_UBSAN)
  list(APPEND BD_SANITIZE_FLAGS -fsanitize=undefined -fno-sanitize-recover=all)
endif()
if(BD_SANITIZE_FLAGS)
  add_compile_options(${BD_SANITIZE_FLAGS} -fno-omit-frame-pointer -g)
  add_link_options(${BD_SANITIZE_FLAGS})
endif()

# Fuzzing instruments the library too, or libFuzzer would be blind to the
# code it is meant to explore.
if(BD_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined
                      -fno-omit-frame-pointer -g)
  add_link_options(-fsanitize=address,undefined)
endif()
