// Must not compile: the dimension has no score(); the error must say which member.
#include <mece/scorer.hpp>

struct NoScore {
    std::string name() const { return "no_score"; }
};

int main() { return int(mece::make_scorer(std::tuple{NoScore{}}).weights().size()); }
