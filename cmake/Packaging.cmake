# The Debian package: `cpack -G DEB` in the build directory makes
# ceslab_<version>_<arch>.deb from what `cmake --install` installs
# (README.md, "Install as a Debian package"; tests/package_deb.cmake checks it).
include(GNUInstallDirs)

# Debian Policy 12.5: every package carries its copyright file; the
# documents go beside it.
install(FILES ${PROJECT_SOURCE_DIR}/cmake/debian/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})
file(GLOB CESLAB_DOCS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES README.md ${CESLAB_DOCS} DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CESLAB_PACKAGE_MAINTAINER "ceslab developers <dev@ceslab.invalid>"
    CACHE STRING "The Maintainer field of the Debian package")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ceslab)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT ${CESLAB_PACKAGE_MAINTAINER})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "test harness and simulator for AD CS enrollment web services (CES/CEP)")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Installed programs are stripped as Debian's are (Policy 10.1); the build
# tree keeps the symbols.
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_COMPRESSION_TYPE gzip)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "ceslab pairs a real enrollment client (WS-Trust X.509v3 enrollment, MS-WSTEP;
enrollment policy, MS-XCEP) with a mock CES/CEP that fails the way a Windows
host fails, so that the causes hidden behind WS_E_ENDPOINT_FAULT_RECEIVED
can be reproduced, recognised and explained. It runs a bundled scenario
suite, enrolls against real CES/CEP servers, checks them for conformance,
load-tests them, and diagnoses failures from certreq output, SOAP faults,
event-log exports and klist output.
.
The Kerberos scenarios and `ceslab serve --kdc` start a throw-away MIT KDC
on loopback, hence the recommended krb5-kdc and krb5-admin-server
(kdb5_util, krb5kdc, kadmin.local); without them use `ceslab run
--no-kerberos`.")
# Library dependencies from the binary itself when dpkg-shlibdeps is there
# (dpkg-dev); otherwise those of Debian 12, which the build targets.
find_program(DPKG_SHLIBDEPS dpkg-shlibdeps)
if(DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS
      "libc6, libstdc++6, libgcc-s1, libssl3, libyaml-cpp0.7, libsqlite3-0, libxml2, zlib1g, libgssapi-krb5-2, libkrb5-3")
endif()
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "krb5-kdc, krb5-admin-server")
# kinit/klist for `--auth kerberos` with a credential cache of your own.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "krb5-user")
include(CPack)
