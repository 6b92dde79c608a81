// Must not compile: the dimension has no name(); the error must say which member.
#include <mece/scorer.hpp>

struct NoName {
    double score(const mece::ScoringContext&) const { return 0.5; }
};

int main() { return int(mece::make_scorer(std::tuple{NoName{}}).weights().size()); }
