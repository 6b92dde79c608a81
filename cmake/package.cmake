# The Debian package: `cpack -G DEB` (or `cpack` alone) in the build directory writes
# mece_VERSION_ARCH.deb. It installs under /usr: the headers, the CMake package and
# mece.pc for any architecture, and the tools and the Python module built here.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME mece)
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION "MECE audience segmentation of shoppers who abandoned their carts: a header-only C++20
library (find_package(mece) or pkg-config mece), the command-line tools (mece-segment,
mece-assign, mece-diff, mece-measure, mece-simulate, mece-generate) and the Python
module mece for pandas.")
set(CPACK_PACKAGE_CONTACT "The mece developers")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_SECTION libdevel)
# What the headers need to compile, then what the module imports; the tools' and the
# module's shared libraries are found by dpkg-shlibdeps.
set(mece_deb_depends "libeigen3-dev (>= 3.4), nlohmann-json3-dev (>= 3.10), libboost-dev (>= 1.74)")
if(MECE_BUILD_PYTHON)
  math(EXPR mece_python_next "${Python3_VERSION_MINOR} + 1")
  string(APPEND mece_deb_depends ", python3 (>= ${Python3_VERSION_MAJOR}.${Python3_VERSION_MINOR}), "
                                  "python3 (<< ${Python3_VERSION_MAJOR}.${mece_python_next}), python3-numpy, python3-pandas")
endif()
set(CPACK_DEBIAN_PACKAGE_DEPENDS "${mece_deb_depends}")
# <mece/mpi.hpp> and find_package(mece COMPONENTS mpi) want an MPI.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "libopenmpi-dev")
if(MECE_BUILD_EXAMPLES OR MECE_BUILD_PYTHON)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE all)
endif()
set(CPACK_SOURCE_GENERATOR "")
include(CPack)
