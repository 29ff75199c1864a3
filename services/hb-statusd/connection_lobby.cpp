// Where idle or half-sent HTTP connections wait without holding a thread (connection_lobby.hpp).
#include "connection_lobby.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <stdexcept>
#include <string_view>
#include <system_error>

namespace hb::statusd {
namespace {

constexpr std::size_t read_ahead = 4096;
// Beyond this, the head goes to cpp-httplib as it is, which answers 414 or 400.
constexpr std::size_t max_head_bytes = 16384;
thread_local ClientConnection* serving_on_this_thread = nullptr;

void address_of(int fd, bool peer, std::string& ip, int& port) {
  sockaddr_storage a{};
  socklen_t len = sizeof a;
  const int r = peer ? ::getpeername(fd, reinterpret_cast<sockaddr*>(&a), &len)
                     : ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  if (r != 0) return;
  char host[NI_MAXHOST];
  char serv[NI_MAXSERV];
  if (::getnameinfo(reinterpret_cast<sockaddr*>(&a), len, host, sizeof host, serv, sizeof serv,
                    NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
    ip = host;
    port = std::atoi(serv);
  }
}

}  // namespace

ClientConnection::ClientConnection(int fd, std::chrono::milliseconds read_timeout,
                                   std::chrono::milliseconds write_timeout, SSL_CTX* tls)
    : fd_(fd), read_timeout_(read_timeout), write_timeout_(write_timeout) {
  if (!tls) return;
  // OpenSSL must never block the lobby: every wait is a poll() with a limit here.
  ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
  ssl_ = SSL_new(tls);
  if (ssl_ && SSL_set_fd(ssl_, fd_) == 1) {
    SSL_set_accept_state(ssl_);
  } else {
    SSL_free(ssl_);
    ssl_ = nullptr;
    tls_eof_ = true;  // closed at its first read
  }
}

ClientConnection::~ClientConnection() {
  if (ssl_) {
    // A close_notify if it fits in the socket buffer; never a wait for the client's.
    if (SSL_is_init_finished(ssl_)) SSL_shutdown(ssl_);
    SSL_free(ssl_);
  }
  ::shutdown(fd_, SHUT_RDWR);
  ::close(fd_);
}

bool ClientConnection::tls_retry(int r, bool wait, std::chrono::milliseconds limit) {
  switch (SSL_get_error(ssl_, r)) {
    case SSL_ERROR_WANT_READ:
      return wait && wait_for(POLLIN, limit);
    case SSL_ERROR_WANT_WRITE:
      return wait && wait_for(POLLOUT, limit);
    case SSL_ERROR_SYSCALL:
      if (errno == EINTR) return true;
      [[fallthrough]];
    default:
      tls_eof_ = true;
      ERR_clear_error();  // the queue is per thread: no stale error for the next connection
      return false;
  }
}

ssize_t ClientConnection::tls_read(char* ptr, std::size_t size, bool wait) {
  if (tls_eof_ || !ssl_) return 0;
  for (;;) {
    const int n = SSL_read(ssl_, ptr, static_cast<int>(std::min<std::size_t>(size, INT_MAX)));
    if (n > 0) return n;
    const int e = SSL_get_error(ssl_, n);
    if (e == SSL_ERROR_ZERO_RETURN) {
      tls_eof_ = true;
      return 0;
    }
    if (!wait && (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)) {
      errno = EAGAIN;
      return -1;
    }
    if (!tls_retry(n, wait, read_timeout_)) return tls_eof_ ? 0 : -1;
  }
}

bool ClientConnection::wait_for(short events, std::chrono::milliseconds limit) const {
  pollfd p{fd_, events, 0};
  for (;;) {
    const int r = ::poll(&p, 1, static_cast<int>(limit.count()));
    if (r < 0 && errno == EINTR) continue;
    return r > 0;
  }
}

bool ClientConnection::is_readable() const {
  return has_buffered() || (ssl_ && SSL_pending(ssl_) > 0) || wait_for(POLLIN, read_timeout_);
}

bool ClientConnection::peer_closed() const {
  pollfd p{fd_, POLLRDHUP, 0};
  return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

bool ClientConnection::read_available() {
  buffered_.erase(buffered_.begin(),
                  buffered_.begin() + static_cast<std::ptrdiff_t>(buffered_begin_));
  buffered_begin_ = 0;
  for (;;) {
    const std::size_t had = buffered_.size();
    buffered_.resize(had + read_ahead);
    const ssize_t n = ssl_ || tls_eof_
                          ? tls_read(buffered_.data() + had, read_ahead, /*wait=*/false)
                          : ::recv(fd_, buffered_.data() + had, read_ahead, MSG_DONTWAIT);
    buffered_.resize(had + static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
    if (n > 0) {
      if (buffered_.size() > max_head_bytes) return true;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
}

bool ClientConnection::head_complete() const {
  const std::string_view text(buffered_.data() + buffered_begin_,
                              buffered_.size() - buffered_begin_);
  return text.size() > max_head_bytes || text.find("\r\n\r\n") != std::string_view::npos ||
         text.find("\n\n") != std::string_view::npos;
}

ClientConnection* ClientConnection::serving() {
  return serving_on_this_thread;
}
void ClientConnection::set_serving(ClientConnection* c) {
  serving_on_this_thread = c;
}

bool ClientConnection::is_writable() const {
  return wait_for(POLLOUT, write_timeout_);
}

ssize_t ClientConnection::read(char* ptr, size_t size) {
  if (!has_buffered()) {
    if (!ssl_ && !tls_eof_ && !wait_for(POLLIN, read_timeout_)) return -1;
    buffered_.resize(read_ahead);
    ssize_t n;
    if (ssl_ || tls_eof_) {
      n = tls_read(buffered_.data(), buffered_.size(), /*wait=*/true);
    } else {
      do {
        n = ::recv(fd_, buffered_.data(), buffered_.size(), MSG_DONTWAIT);
      } while (n < 0 && errno == EINTR);
    }
    buffered_begin_ = 0;
    if (n <= 0) {
      buffered_.clear();
      return n;
    }
    buffered_.resize(static_cast<std::size_t>(n));
  }
  const std::size_t take = std::min(size, buffered_.size() - buffered_begin_);
  std::copy_n(buffered_.data() + buffered_begin_, take, ptr);
  buffered_begin_ += take;
  return static_cast<ssize_t>(take);
}

ssize_t ClientConnection::write(const char* ptr, size_t size) {
  if (ssl_ || tls_eof_) {
    if (size == 0) return 0;
    for (;;) {
      if (tls_eof_ || !ssl_) return -1;
      const int n = SSL_write(ssl_, ptr, static_cast<int>(std::min<std::size_t>(size, INT_MAX)));
      if (n > 0) return n;
      if (!tls_retry(n, /*wait=*/true, write_timeout_)) return -1;
    }
  }
  if (!is_writable()) return -1;
  ssize_t n;
  do {
    n = ::send(fd_, ptr, size, MSG_NOSIGNAL | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  return n;
}

void ClientConnection::get_remote_ip_and_port(std::string& ip, int& port) const {
  address_of(fd_, true, ip, port);
}

void ClientConnection::get_local_ip_and_port(std::string& ip, int& port) const {
  address_of(fd_, false, ip, port);
}

ConnectionLobby::ConnectionLobby(std::size_t max_waiting, std::chrono::milliseconds idle_timeout,
                                 Ready ready)
    : max_waiting_(std::max<std::size_t>(1, max_waiting)),
      idle_timeout_(idle_timeout),
      ready_(std::move(ready)) {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (epoll_fd_ < 0 || wake_fd_ < 0)
    throw std::system_error(errno, std::generic_category(), "connection lobby");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wake_fd_;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
  thread_ = std::thread([this] { run(); });
}

ConnectionLobby::~ConnectionLobby() {
  stop();
  ::close(wake_fd_);
  ::close(epoll_fd_);
}

void ConnectionLobby::admit(Connection c) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;  // c closes as it goes
    incoming_.push_back(std::move(c));
  }
  const std::uint64_t one = 1;
  [[maybe_unused]] auto r = ::write(wake_fd_, &one, sizeof one);
}

void ConnectionLobby::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    incoming_.clear();
  }
  const std::uint64_t one = 1;
  [[maybe_unused]] auto r = ::write(wake_fd_, &one, sizeof one);
  if (thread_.joinable()) thread_.join();
}

void ConnectionLobby::take_incoming() {
  std::deque<Connection> arrived;
  {
    std::lock_guard lock(mutex_);
    arrived.swap(incoming_);
  }
  for (auto& c : arrived) {
    // TLS: a new connection's handshake begins, and what OpenSSL already holds (which wakes no
    // epoll) is taken, before it waits.
    if (c->is_tls() && !c->read_available() && !c->head_complete()) continue;  // closes it
    if (c->head_complete()) {
      ready_(std::move(c));
      continue;
    }
    if (waiting_.size() >= max_waiting_) {
      // Full: the connection idle longest makes room (an idle flood cannot lock others out).
      auto oldest = std::min_element(waiting_.begin(), waiting_.end(), [](auto& a, auto& b) {
        return a.second.since < b.second.since;
      });
      close_waiting(oldest->first);
    }
    const int fd = c->socket();
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.fd = fd;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) continue;  // closes it
    waiting_[fd] = Waiting{std::move(c), std::chrono::steady_clock::now()};
  }
}

void ConnectionLobby::dispatch(int fd) {
  auto it = waiting_.find(fd);
  if (it == waiting_.end()) return;
  // Part of a head: keep waiting (the idle timeout still runs from when it came in); the end of
  // the stream or an error before a whole head: close.
  const bool open = it->second.connection->read_available();
  if (!it->second.connection->head_complete()) {
    if (!open) close_waiting(fd);
    return;
  }
  Connection c = std::move(it->second.connection);
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  waiting_.erase(it);
  ready_(std::move(c));
}

void ConnectionLobby::close_waiting(int fd) {
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  waiting_.erase(fd);
}

void ConnectionLobby::run() {
  std::vector<epoll_event> events(64);
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;
    }
    // Wake for the first idle timeout due, and at least once a second.
    auto wait = std::chrono::milliseconds(1000);
    const auto now = std::chrono::steady_clock::now();
    for (const auto& [fd, w] : waiting_) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(w.since + idle_timeout_ - now);
      wait = std::max(std::chrono::milliseconds(0), std::min(wait, left));
    }
    const int n = ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()),
                               static_cast<int>(wait.count()) + 1);
    for (int i = 0; i < n; ++i) {
      const int fd = events[static_cast<std::size_t>(i)].data.fd;
      if (fd == wake_fd_) {
        std::uint64_t count;
        [[maybe_unused]] auto r = ::read(wake_fd_, &count, sizeof count);
        take_incoming();
      } else {
        dispatch(fd);
      }
    }
    const auto later = std::chrono::steady_clock::now();
    for (auto it = waiting_.begin(); it != waiting_.end();) {
      if (later - it->second.since >= idle_timeout_) {
        ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, it->first, nullptr);
        it = waiting_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& [fd, w] : waiting_) ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  waiting_.clear();
}

}  // namespace hb::statusd
