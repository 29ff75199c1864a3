// Replays every seed in tests/fuzz/corpus through the fuzz entry point (built with g++, no
// libFuzzer): each must be handled without a crash, and the seeds that are real packets
// must still open, so the corpus keeps reaching the deep code.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "core/proto/packet.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(FuzzCorpus, EverySeedIsHandled) {
  const std::filesystem::path dir = HB_FUZZ_CORPUS_DIR;
  int seeds = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::string bytes = slurp(entry.path());
    SCOPED_TRACE(entry.path().filename().string());
    EXPECT_EQ(
        LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()),
        0);
    ++seeds;
  }
  EXPECT_GE(seeds, 5);
}

TEST(FuzzCorpus, ValidSeedsStillDecode) {
  const std::filesystem::path dir = HB_FUZZ_CORPUS_DIR;
  for (const char* name : {"classic-status-crc", "netstring-status-sha1"}) {
    std::string bytes = slurp(dir / name);
    auto decoded = hb::proto::decode(bytes);
    EXPECT_TRUE(decoded.ok()) << name;
  }
}

}  // namespace
