// A Server-Sent Events client for the bus tests, as a browser's EventSource reads
// GET /api/v1/events: one TCP connection, the chunked response decoded, events split into id,
// event and data. It never blocks: poll() takes what has arrived, so a test can keep the fake
// daemons answering while it waits for events.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <vector>

namespace hb::test {

struct SseEvent {
  std::string id, event, data;
};

class SseClient {
 public:
  explicit SseClient(int port, const std::string& last_event_id = "") {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      closed = true;
      return;
    }
    std::string request =
        "GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Accept: text/event-stream\r\n";
    if (!last_event_id.empty()) request += "Last-Event-ID: " + last_event_id + "\r\n";
    request += "\r\n";
    ::send(fd_, request.data(), request.size(), MSG_NOSIGNAL);
  }
  ~SseClient() { close(); }
  SseClient(const SseClient&) = delete;
  SseClient& operator=(const SseClient&) = delete;

  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    closed = true;
  }

  // Takes what has arrived; true while the connection is open.
  bool poll() {
    if (fd_ < 0) return false;
    char buf[8192];
    for (;;) {
      const ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) {
        raw_.append(buf, static_cast<std::size_t>(n));
        continue;
      }
      if (n == 0) closed = true;
      break;
    }
    parse();
    return !closed;
  }

  int status = 0;  // of the response, once its head arrived
  std::string head;
  std::vector<SseEvent> events;
  int comments = 0;
  bool closed = false;

 private:
  void parse() {
    if (status == 0) {
      const auto end = raw_.find("\r\n\r\n");
      if (end == std::string::npos) return;
      head = raw_.substr(0, end);
      if (head.rfind("HTTP/1.1 ", 0) == 0) status = std::atoi(head.c_str() + 9);
      raw_.erase(0, end + 4);
    }
    // Chunked transfer coding: "<hex size>\r\n<payload>\r\n".
    for (;;) {
      const auto eol = raw_.find("\r\n");
      if (eol == std::string::npos) break;
      const std::size_t size = std::stoul(raw_.substr(0, eol), nullptr, 16);
      if (raw_.size() < eol + 2 + size + 2) break;
      text_.append(raw_, eol + 2, size);
      raw_.erase(0, eol + 2 + size + 2);
    }
    // Events end with a blank line.
    for (std::size_t end; (end = text_.find("\n\n")) != std::string::npos;) {
      const std::string block = text_.substr(0, end + 1);
      text_.erase(0, end + 2);
      SseEvent e;
      bool any = false;
      for (std::size_t at = 0, nl; (nl = block.find('\n', at)) != std::string::npos; at = nl + 1) {
        const std::string line = block.substr(at, nl - at);
        auto field = [&](const char* name, std::string& into) {
          const std::string prefix = std::string(name) + ": ";
          if (line.rfind(prefix, 0) != 0) return false;
          into += (name == std::string("data") && !into.empty() ? "\n" : "") +
                  line.substr(prefix.size());
          return true;
        };
        if (line.rfind(":", 0) == 0) {
          ++comments;
        } else if (field("id", e.id) || field("event", e.event) || field("data", e.data)) {
          any = true;
        }
      }
      if (any) events.push_back(std::move(e));
    }
  }

  int fd_ = -1;
  std::string raw_, text_;
};

}  // namespace hb::test
