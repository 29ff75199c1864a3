// A scratch directory for tests that need real files; removed at the end of the test.
#pragma once

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace hb::config::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "hb-config-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

  std::string write(const std::string& name, const std::string& text, unsigned mode = 0644) {
    std::string file = path_ + "/" + name;
    std::ofstream(file) << text;
    ::chmod(file.c_str(), mode);
    return file;
  }

  // Copies the seed's three files (tests/data/seed-ha.d) here, authkeys at mode 600.
  void copy_seed() {
    const std::string seed = std::string(std::getenv("HB_TEST_DATA")) + "/seed-ha.d";
    for (const char* name : {"ha.cf", "authkeys", "haresources"}) {
      std::filesystem::copy_file(seed + "/" + name, path_ + "/" + name,
                                 std::filesystem::copy_options::overwrite_existing);
    }
    ::chmod((path_ + "/authkeys").c_str(), 0600);
  }

 private:
  std::string path_;
};

inline std::string read_text(const std::string& file) {
  std::ifstream in(file);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace hb::config::testing
