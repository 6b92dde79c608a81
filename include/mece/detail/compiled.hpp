#pragma once
/// \file detail/compiled.hpp
/// Header-only by default: every definition is in the headers, `inline` or a template.
///
/// With `MECE_PRECOMPILED` defined in every translation unit of a program (the CMake
/// target `mece::precompiled` defines it for its users), the writers, the report, the
/// charts and the config reader are only declared in the headers, and the entry points
/// (`run`, `segment`, `read_csv`, `generate`, `write_assignments`) for `float` and
/// `double` are declared `extern template`: all of them are compiled once, in the one
/// translation unit that includes `<mece/precompiled.hpp>`. An application's own files
/// then compile in a few seconds each.

#if defined(MECE_PRECOMPILED) && !defined(MECE_PRECOMPILING)
/// 0 where the compiled definitions come from `<mece/precompiled.hpp>`'s translation unit.
#define MECE_HEADER_DEFINITIONS 0
#else
#define MECE_HEADER_DEFINITIONS 1
#endif

#if defined(MECE_PRECOMPILED)
#define MECE_INLINE
#else
#define MECE_INLINE inline
#endif
