// hb-resourced's fencing tests' fixture: ResourcedStandby (resourced_fixture.hpp) with short
// fencing timings (the rules are the same) and ha.cf's fence devices on demand.
#pragma once

#include "resourced_fixture.hpp"

namespace hb::test {

inline const std::string fence_units = "hb-fence-ha1-";

class ResourcedFencingFixture : public ResourcedStandby {
 protected:
  void SetUp() override {
    ResourcedStandby::SetUp();
    if (IsSkipped()) return;
    std::ofstream(conf_ / "hb.conf") << "[fencing]\nrace_delay = 200ms\nretry = 300ms\n";
  }

  void with_fence_devices() {
    std::ofstream(conf_ / "ha.cf", std::ios::app)
        << "stonith_host ha2 external/ipmi ha1 198.51.100.201 admin secret lan\n"
        << "stonith_host ha1 external/ipmi ha2 198.51.100.202 admin secret lan\n";
    fs::permissions(conf_ / "ha.cf", fs::perms::owner_read | fs::perms::owner_write);
  }
};

}  // namespace hb::test
