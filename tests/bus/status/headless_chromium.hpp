// Debian's chromium, headless, driven over the DevTools protocol on a pipe
// (--remote-debugging-pipe: JSON messages ending in NUL on fds 3 and 4), so a test can open a
// page, read what it shows and take screenshots without any extra client library.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace hb::test {

inline constexpr const char* chromium_path = "/usr/bin/chromium";

class HeadlessChromium {
 public:
  // Starts chromium with its profile in `profile_dir`, its messages in `log`.
  HeadlessChromium(const std::filesystem::path& profile_dir, const std::filesystem::path& log) {
    int to_chrome[2], from_chrome[2];
    if (::pipe2(to_chrome, O_CLOEXEC) != 0 || ::pipe2(from_chrome, O_CLOEXEC) != 0)
      throw std::runtime_error("pipe");
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(to_chrome[0], 3);
      ::dup2(from_chrome[1], 4);
      const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      const std::string profile = "--user-data-dir=" + profile_dir.string();
      ::execl(chromium_path, chromium_path, "--headless", "--no-sandbox", "--disable-gpu",
              "--disable-dev-shm-usage", "--no-first-run", "--remote-debugging-pipe",
              "--window-size=1100,900", profile.c_str(), "about:blank", nullptr);
      ::_exit(127);
    }
    ::close(to_chrome[0]);
    ::close(from_chrome[1]);
    write_fd_ = to_chrome[1];
    read_fd_ = from_chrome[0];
  }
  ~HeadlessChromium() {
    if (write_fd_ >= 0) ::close(write_fd_);
    if (read_fd_ >= 0) ::close(read_fd_);
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }
  HeadlessChromium(const HeadlessChromium&) = delete;
  HeadlessChromium& operator=(const HeadlessChromium&) = delete;

  // One command and its result (throws on a protocol error or after `limit`).
  nlohmann::json call(const std::string& method, nlohmann::json params = nlohmann::json::object(),
                      const std::string& session = "",
                      std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    const int id = ++last_id_;
    nlohmann::json msg{{"id", id}, {"method", method}, {"params", std::move(params)}};
    if (!session.empty()) msg["sessionId"] = session;
    const std::string text = msg.dump() + '\0';
    for (std::size_t done = 0; done < text.size();) {
      const ssize_t n = ::write(write_fd_, text.data() + done, text.size() - done);
      if (n <= 0) throw std::runtime_error("chromium closed its pipe");
      done += static_cast<std::size_t>(n);
    }
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      const auto nul = buffer_.find('\0');
      if (nul != std::string::npos) {
        const auto reply = nlohmann::json::parse(buffer_.substr(0, nul), nullptr, false);
        buffer_.erase(0, nul + 1);
        if (reply.is_object() && reply.value("id", 0) == id) {
          if (reply.contains("error")) throw std::runtime_error(method + ": " + reply.dump());
          return reply.value("result", nlohmann::json::object());
        }
        continue;  // an event, or another command's answer
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) throw std::runtime_error(method + ": no answer from chromium");
      pollfd p{read_fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[65536];
      const ssize_t n = ::read(read_fd_, buf, sizeof buf);
      if (n <= 0) throw std::runtime_error("chromium exited");
      buffer_.append(buf, static_cast<std::size_t>(n));
    }
  }

  // Opens `url` in a new tab; commands for it go to the returned session.
  std::string open(const std::string& url) {
    const auto target = call("Target.createTarget", {{"url", url}})["targetId"];
    return call("Target.attachToTarget", {{"targetId", target}, {"flatten", true}})["sessionId"];
  }

  // The value of a JavaScript expression in the page (null when it threw).
  nlohmann::json evaluate(const std::string& session, const std::string& expression) {
    const auto r =
        call("Runtime.evaluate", {{"expression", expression}, {"returnByValue", true}}, session);
    if (r.contains("exceptionDetails")) return nullptr;
    return r["result"].value("value", nlohmann::json());
  }

  // A PNG of what the page shows, written to `file`.
  void screenshot(const std::string& session, const std::filesystem::path& file) {
    const auto r = call("Page.captureScreenshot", {{"format", "png"}}, session);
    std::ofstream(file, std::ios::binary) << base64_decode(r.value("data", ""));
  }

 private:
  static std::string base64_decode(const std::string& in) {
    std::string out;
    int bits = 0, value = 0;
    for (char c : in) {
      int v;
      if (c >= 'A' && c <= 'Z')
        v = c - 'A';
      else if (c >= 'a' && c <= 'z')
        v = c - 'a' + 26;
      else if (c >= '0' && c <= '9')
        v = c - '0' + 52;
      else if (c == '+')
        v = 62;
      else if (c == '/')
        v = 63;
      else
        continue;
      value = (value << 6) | v;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out.push_back(static_cast<char>((value >> bits) & 0xff));
      }
    }
    return out;
  }

  pid_t pid_ = -1;
  int write_fd_ = -1, read_fd_ = -1;
  int last_id_ = 0;
  std::string buffer_;
};

}  // namespace hb::test
