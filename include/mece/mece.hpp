#pragma once
/// \file mece.hpp
/// Everything needed to segment a dataset held in memory: the dataset, the universe,
/// the rule tree and its presets, the constraint solver, segment statistics, the scorer,
/// the MECE checks, the strategy and its ranked segments (`mece/ranked.hpp`), holdout
/// groups, and `mece::run`, which composes them. No JSON library,
/// no file output: a translation unit that includes only this compiles fast.
///
/// Left out, include them yourself: `mece/strategy_writer.hpp` (strategy.csv, .json, .md
/// and assignments.csv), `mece/report.hpp` (the charts and `report.html`),
/// `mece/plot.hpp` (the charts as SVG), `mece/io/csv.hpp` (reading and writing CSV),
/// `mece/io/text.hpp` (the summary `mece-segment` prints), `mece/io/config.hpp` (JSON
/// configuration), `mece/io/generator.hpp` (the synthetic
/// dataset) and `mece/io/output.hpp` (outputs committed all together).

#include <mece/constraint_solver.hpp>
#include <mece/dataset.hpp>
#include <mece/error.hpp>
#include <mece/frozen.hpp>
#include <mece/fwd.hpp>
#include <mece/holdout.hpp>
#include <mece/ranked.hpp>
#include <mece/rule_tree.hpp>
#include <mece/rule_tree/expression.hpp>
#include <mece/rule_tree/feature.hpp>
#include <mece/rule_tree/presets.hpp>
#include <mece/run.hpp>
#include <mece/scorer.hpp>
#include <mece/segment_stats.hpp>
#include <mece/segmentation.hpp>
#include <mece/strategy.hpp>
#include <mece/universe.hpp>
#include <mece/validation.hpp>
#include <mece/version.hpp>
