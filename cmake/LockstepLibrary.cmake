# lockstep_add_library(<layer> SOURCES ... DEPENDS ...)
# One static library per layer folder: public headers under <layer>/lockstep,
# sources under <layer>/src.
function(lockstep_add_library layer)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS" ${ARGN})
  set(target lockstep_${layer})
  add_library(${target} STATIC ${ARG_SOURCES})
  add_library(lockstep::${layer} ALIAS ${target})
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_link_libraries(${target} PUBLIC ${ARG_DEPENDS})
  target_compile_features(${target} PUBLIC cxx_std_20)
  set_target_properties(${target} PROPERTIES
    EXPORT_NAME ${layer}
    POSITION_INDEPENDENT_CODE ON)
endfunction()
