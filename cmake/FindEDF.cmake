# FindEDF.cmake — locates edflib, the EDF/EDF+ reader and writer (Debian's
# libedf-dev).
#
# edflib ships no CMake package or pkg-config file, so this module provides
# the imported target EDF::edf, and sets EDF_FOUND and EDF_VERSION.
# Hint: set EDF_ROOT_DIR to a prefix holding include/edflib.h and lib/.

find_path(EDF_INCLUDE_DIR edflib.h HINTS ${EDF_ROOT_DIR} PATH_SUFFIXES include)
find_library(EDF_LIBRARY NAMES edf HINTS ${EDF_ROOT_DIR} PATH_SUFFIXES lib)

# The header carries no version macro; the library reports it at run time
# (edflib_version()), so the version is read from the shared library's name
# when it has one (libedf.so.1.23).
if(EDF_LIBRARY)
  get_filename_component(_edf_real "${EDF_LIBRARY}" REALPATH)
  if(_edf_real MATCHES "\\.so\\.([0-9]+\\.[0-9]+)$")
    set(EDF_VERSION "${CMAKE_MATCH_1}")
  endif()
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(EDF
  REQUIRED_VARS EDF_INCLUDE_DIR EDF_LIBRARY
  VERSION_VAR EDF_VERSION)

if(EDF_FOUND AND NOT TARGET EDF::edf)
  add_library(EDF::edf UNKNOWN IMPORTED)
  set_target_properties(EDF::edf PROPERTIES
    IMPORTED_LOCATION "${EDF_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${EDF_INCLUDE_DIR}")
endif()
mark_as_advanced(EDF_INCLUDE_DIR EDF_LIBRARY)
