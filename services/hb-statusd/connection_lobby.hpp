// Where hb-statusd's idle HTTP connections wait without holding a thread: a connection that has
// not sent its (next) request sits in one epoll set, which reads what arrives without blocking,
// and goes to the thread pool only once its request head is complete (a blank line), so neither
// an idle client nor one that sends its request a byte at a time holds a worker. cpp-httplib gives
// each connection a thread for its whole life, keep-alive waits included, so without this a handful
// of idle or hostile connections would hold every worker and the cluster document would wait behind
// them. Bounded: at most `max_waiting` connections wait (the one idle longest is closed to admit a
// new one), none longer than `idle_timeout`.
#pragma once

#include <httplib.h>
#include <openssl/ssl.h>

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace hb::statusd {

// One accepted connection, as cpp-httplib's request processing reads and writes it: reads and
// writes wait at most the configured timeouts; what was read ahead stays with it between requests.
// With a TLS context the connection speaks TLS: its handshake happens in the lobby without
// blocking (a client that stalls in it holds no thread), and reads and writes go through OpenSSL.
class ClientConnection : public httplib::Stream {
 public:
  ClientConnection(int fd, std::chrono::milliseconds read_timeout,
                   std::chrono::milliseconds write_timeout, SSL_CTX* tls = nullptr);
  ~ClientConnection() override;
  ClientConnection(const ClientConnection&) = delete;
  ClientConnection& operator=(const ClientConnection&) = delete;

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  int socket() const override { return fd_; }

  bool is_tls() const { return ssl_ != nullptr; }
  // Bytes of a next request already read (a pipelining client): serve without waiting.
  bool has_buffered() const { return buffered_begin_ < buffered_.size(); }
  // The client closed or reset its end (a long response can stop at once).
  bool peer_closed() const;
  // Reads what has arrived without waiting. False at the end of the stream or on an error.
  bool read_available();
  // The buffered bytes hold a whole request head ("\r\n\r\n"), or more than a head may be.
  bool head_complete() const;

  // The connection this thread is serving a request of (null when none): lets a long-lived
  // response see its client go away between writes.
  static ClientConnection* serving();
  static void set_serving(ClientConnection* c);

  void* server = nullptr;         // the server whose routes answer it
  std::size_t requests_left = 0;  // keep-alive: requests it may still send

 private:
  bool wait_for(short events, std::chrono::milliseconds limit) const;
  // TLS: reads up to `size` bytes, waiting at most the read timeout when `wait`.
  ssize_t tls_read(char* ptr, std::size_t size, bool wait);
  // After an OpenSSL call returned `r`: waits for what it wants (when `wait`); false when the
  // call failed for good or would have to wait and `wait` is false.
  bool tls_retry(int r, bool wait, std::chrono::milliseconds limit);

  int fd_;
  SSL* ssl_ = nullptr;  // TLS only
  bool tls_eof_ = false;
  std::chrono::milliseconds read_timeout_, write_timeout_;
  std::vector<char> buffered_;
  std::size_t buffered_begin_ = 0;
};

class ConnectionLobby {
 public:
  using Connection = std::shared_ptr<ClientConnection>;
  // Called on the lobby's thread for a connection that has a request to read.
  using Ready = std::function<void(Connection)>;

  ConnectionLobby(std::size_t max_waiting, std::chrono::milliseconds idle_timeout, Ready ready);
  ~ConnectionLobby();
  ConnectionLobby(const ConnectionLobby&) = delete;
  ConnectionLobby& operator=(const ConnectionLobby&) = delete;

  // Any thread: the connection waits here for its next request (closed once stopped).
  void admit(Connection c);
  // Closes every waiting connection and ends the lobby's thread.
  void stop();

 private:
  struct Waiting {
    Connection connection;
    std::chrono::steady_clock::time_point since;
  };
  void run();
  void take_incoming();
  void dispatch(int fd);
  void close_waiting(int fd);

  std::size_t max_waiting_;
  std::chrono::milliseconds idle_timeout_;
  Ready ready_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::mutex mutex_;
  std::deque<Connection> incoming_;  // guarded by mutex_
  bool stopping_ = false;            // guarded by mutex_
  std::map<int, Waiting> waiting_;   // the lobby thread's only
  std::thread thread_;
};

}  // namespace hb::statusd
