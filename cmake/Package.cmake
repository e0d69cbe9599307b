# The documents a package ships, and the Debian package itself: "cpack -G
# DEB" in the release build (scripts/package does it all). Included by the
# top-level CMakeLists.txt after the program's install rules.

set(BD_PACKAGE_MAINTAINER "The blogdom authors <blogdom@example.org>"
  CACHE STRING "Maintainer of the Debian package, as \"Name <address>\"")

set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
  ${PROJECT_SOURCE_DIR}/LICENSE ${PROJECT_SOURCE_DIR}/packaging/changelog)

# dpkg takes the version from the control file and lintian compares it
# with the changelog's newest entry: a release bumps both.
file(STRINGS ${PROJECT_SOURCE_DIR}/packaging/changelog newest LIMIT_COUNT 1)
if(NOT newest MATCHES "^blogdom \\(${PROJECT_VERSION}\\) ")
  message(FATAL_ERROR "packaging/changelog must start with the entry for "
    "blogdom ${PROJECT_VERSION}, not: ${newest}")
endif()

# The copyright file in Debian's machine-readable format (DEP-5), made from
# LICENSE so the two cannot differ: its holder line, and the permission
# text as an indented block ("." for a blank line).
file(READ ${PROJECT_SOURCE_DIR}/LICENSE license)
if(NOT license MATCHES "Copyright \\(c\\) ([^\n]+)\n\n(.*[^\n])\n*$")
  message(FATAL_ERROR "LICENSE has no \"Copyright (c) ...\" line")
endif()
set(BD_COPYRIGHT "${CMAKE_MATCH_1}")
string(REPLACE "\n\n" "\n.\n" BD_LICENSE_TEXT "${CMAKE_MATCH_2}")
string(REPLACE "\n" "\n " BD_LICENSE_TEXT " ${BD_LICENSE_TEXT}")
configure_file(${PROJECT_SOURCE_DIR}/packaging/copyright.in
  ${PROJECT_BINARY_DIR}/packaging/copyright @ONLY)

install(FILES ${PROJECT_BINARY_DIR}/packaging/copyright
  ${PROJECT_SOURCE_DIR}/packaging/changelog
  DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_PACKAGE_NAME blogdom)
set(CPACK_PACKAGE_VENDOR "The blogdom authors")
set(CPACK_PACKAGE_CONTACT "${BD_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "probe many domain names with DNS and tell which exist")
set(CPACK_PACKAGE_DESCRIPTION [[
blogdom asks DNS about many names at once and prints one line per name as
the answers arrive: taken, free (NXDOMAIN) or no definitive answer. It
streams word lists of millions of names in constant memory, paces itself
to what the resolvers answer, refuses resolvers that rewrite NXDOMAIN, and
with --confirm asks the registry over RDAP about every name DNS calls free
(libcurl is loaded only then).]])
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
  OWNER_READ OWNER_WRITE OWNER_EXECUTE
  GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
set(CPACK_PRE_BUILD_SCRIPTS ${PROJECT_SOURCE_DIR}/packaging/deb-layout.cmake)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends from the libraries the binary links (dpkg-shlibdeps, in
# dpkg-dev). libcurl is dlopen()ed for --confirm alone: recommended.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS libcurl4)
include(CPack)
