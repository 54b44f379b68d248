# Builds the Debian package with cpack, unpacks it into a temporary root as
# any user can (dpkg-deb -x, no root, no dpkg database), and runs the ceslab
# in it: `run --lint` and one baseline scenario, with the scenarios found
# under <root>/usr/share/ceslab, and never in the source tree.
# Run by ctest (package.deb, label package):
#   cmake -DBUILD=<build dir> -DCPACK=<cpack> -DDPKG_DEB=<dpkg-deb> -P this file

# The root is outside the build tree: a ceslab inside it could still fall
# back to the source tree's scenarios, and this test must see that it does not.
set(tmp "$ENV{TMPDIR}")
if(NOT tmp)
  set(tmp /tmp)
endif()
string(RANDOM LENGTH 10 tag)
set(work "${tmp}/ceslab-package-${tag}")
set(root "${work}/root")
file(MAKE_DIRECTORY "${root}")

macro(fail text)
  file(REMOVE_RECURSE "${work}")
  message(FATAL_ERROR "${text}")
endmacro()

macro(run_ceslab)
  execute_process(COMMAND "${root}/usr/bin/ceslab" ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE err WORKING_DIRECTORY "${work}")
endmacro()

# The package.
execute_process(COMMAND "${CPACK}" -G DEB -B "${work}/out" WORKING_DIRECTORY "${BUILD}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
file(GLOB debs "${work}/out/*.deb")
list(LENGTH debs count)
if(NOT rc EQUAL 0 OR NOT count EQUAL 1)
  fail("cpack -G DEB made ${count} .deb file(s), exit ${rc}: ${out}${err}")
endif()

# Its control data: the dependencies a plain `apt install ./ceslab_*.deb` resolves.
execute_process(COMMAND "${DPKG_DEB}" -I "${debs}" RESULT_VARIABLE rc OUTPUT_VARIABLE info
                ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  fail("dpkg-deb -I failed (${rc}): ${err}")
endif()
foreach(field "Package: ceslab" "Maintainer: [^\n]+<[^\n]+@[^\n]+>"
              "Depends: [^\n]*libssl3[^\n]*" "Depends: [^\n]*libyaml-cpp[^\n]*"
              "Depends: [^\n]*libgssapi-krb5-2[^\n]*"
              "Recommends: krb5-kdc, krb5-admin-server" "Description: [^\n]+")
  if(NOT info MATCHES "\n ${field}\n")
    fail("the package's control data has no '${field}':\n${info}")
  endif()
endforeach()

# Unpacked as files, the way dpkg would place them.
execute_process(COMMAND "${DPKG_DEB}" -x "${debs}" "${root}" RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  fail("dpkg-deb -x failed (${rc}): ${err}")
endif()
foreach(file usr/bin/ceslab usr/share/man/man1/ceslab.1.gz
             usr/share/bash-completion/completions/ceslab usr/share/doc/ceslab/copyright
             usr/share/ceslab/scenarios/known-gaps.yaml
             usr/share/ceslab/scenarios/baseline/issue-user-username.yaml)
  if(NOT EXISTS "${root}/${file}")
    fail("the package does not install /${file}")
  endif()
endforeach()
# The documents the man page sends readers to.
foreach(doc README cli scenarios)
  if(NOT EXISTS "${root}/usr/share/doc/ceslab/${doc}.md")
    fail("the package does not install the document ${doc} in /usr/share/doc/ceslab")
  endif()
endforeach()
file(READ "${root}/usr/share/doc/ceslab/copyright" copyright)
if(NOT copyright MATCHES "License: GPL-2.0-or-later")
  fail("the copyright file does not name GPL-2.0-or-later")
endif()
file(READ "${root}/usr/share/bash-completion/completions/ceslab" completion)
if(NOT completion MATCHES "complete -F _ceslab ceslab")
  fail("the installed bash completion does not register itself for ceslab")
endif()

# The installed ceslab reads the scenarios installed beside it.
run_ceslab(run --list)
if(NOT rc EQUAL 0 OR NOT err MATCHES "bundled scenarios: ${root}/usr/share/ceslab/scenarios\n"
   OR NOT out MATCHES "baseline/issue-user-username")
  fail("the unpacked ceslab did not list the scenarios under ${root} (exit ${rc}): ${err}${out}")
endif()
run_ceslab(run --lint)
if(NOT rc EQUAL 0 OR NOT out MATCHES "[1-9][0-9]* scenario file\\(s\\) valid, 0 with errors")
  fail("ceslab run --lint from the package failed (exit ${rc}): ${out}${err}")
endif()
run_ceslab(run baseline/issue-user-username --jobs 1 --no-kerberos)
if(NOT rc EQUAL 0 OR NOT out MATCHES "1 passed, 0 failed")
  fail("the packaged ceslab could not run a baseline scenario (exit ${rc}): ${out}${err}")
endif()

# Without them it says so instead of reading the source tree it was built from.
file(REMOVE_RECURSE "${root}/usr/share/ceslab/scenarios")
run_ceslab(run --lint)
if(rc EQUAL 0 OR NOT err MATCHES "no bundled scenarios found")
  fail("with its scenarios removed the packaged ceslab still found some (exit ${rc}): ${out}${err}")
endif()
file(REMOVE_RECURSE "${work}")
