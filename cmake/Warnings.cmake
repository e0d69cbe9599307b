# Warnings are part of the build, not a matter of taste: every target of
# ours compiles with the same set, and BD_WERROR makes them fatal (CI).
function(bd_enable_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes
    -Wmissing-prototypes -Wformat=2 -Wcast-qual -Wvla
    -Wnull-dereference -Wundef -Wwrite-strings)
  if(BD_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
