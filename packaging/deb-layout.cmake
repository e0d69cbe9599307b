# Run by cpack (CPACK_PRE_BUILD_SCRIPTS) on the staged files of the Debian
# package, after "cmake --install" put them in place and before they are
# packed: the few ways Debian's layout differs from a plain install.
if(NOT CPACK_GENERATOR STREQUAL "DEB")
  return()
endif()

set(root "${CPACK_TEMPORARY_DIRECTORY}${CPACK_PACKAGING_INSTALL_PREFIX}")

# CPACK_STRIP_FILES has stripped the symbols; dh_strip also drops these
# sections, of no use at run time.
execute_process(COMMAND strip --remove-section=.comment --remove-section=.note
  "${root}/bin/blogdom" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "strip blogdom failed")
endif()

# Debian compresses man pages and changelogs with gzip -9n (Policy 12.1 and
# 12.7): -n leaves out the name and the time, so a rebuild is identical.
foreach(file share/man/man1/blogdom.1 share/doc/blogdom/changelog)
  execute_process(COMMAND gzip -9nf "${root}/${file}"
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "gzip ${file} failed")
  endif()
endforeach()

# Debian's zsh looks in /usr/share/zsh/vendor-completions, not
# site-functions (which it reads under /usr/local only).
file(MAKE_DIRECTORY "${root}/share/zsh/vendor-completions")
file(RENAME "${root}/share/zsh/site-functions/_blogdom"
  "${root}/share/zsh/vendor-completions/_blogdom")
file(REMOVE_RECURSE "${root}/share/zsh/site-functions")
