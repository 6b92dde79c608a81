#pragma once
/// \file precompiled.hpp
/// Compiles the library's writers, report, charts, config reader and entry points once.
///
/// Include it in exactly one translation unit of a program, before any other mece
/// header, and define `MECE_PRECOMPILED` for every translation unit of the program (the
/// CMake target `mece::precompiled` does both: link it instead of `mece::mece`). The
/// other translation units then only declare what this one defines, so each compiles in
/// a few seconds instead of compiling the pipeline again. The results are the same, to
/// the byte: it is the same code, compiled in one place.

#if defined(MECE_HEADER_DEFINITIONS)
#error "<mece/precompiled.hpp> must come before every other mece header in its translation unit"
#endif
#if !defined(MECE_PRECOMPILED)
#error "define MECE_PRECOMPILED for every translation unit of a program that uses <mece/precompiled.hpp>"
#endif
#define MECE_PRECOMPILING

#include <mece/io/config.hpp>
#include <mece/io/csv.hpp>
#include <mece/io/generator.hpp>
#include <mece/mece.hpp>
#include <mece/plot.hpp>
#include <mece/report.hpp>
#include <mece/strategy_writer.hpp>

namespace mece {
MECE_RUN_INSTANCES(, float)
MECE_RUN_INSTANCES(, double)
MECE_SEGMENTATION_INSTANCES(, float)
MECE_SEGMENTATION_INSTANCES(, double)
MECE_CSV_INSTANCES(, float)
MECE_CSV_INSTANCES(, double)
MECE_GENERATOR_INSTANCES(, float)
MECE_GENERATOR_INSTANCES(, double)
template std::size_t StrategyWriter::write_assignments<float>(const Scope<float>&, const ResolvedRules&, const Assignment&,
                                                               const std::optional<Holdout>&) const;
template std::size_t StrategyWriter::write_assignments<double>(const Scope<double>&, const ResolvedRules&, const Assignment&,
                                                                const std::optional<Holdout>&) const;
}  // namespace mece
