// heartbeat's status rule for resource scripts: its text patterns first, the LSB exit code for
// output they do not recognize.
#include "core/resource/script_status.hpp"

#include <gtest/gtest.h>

#include <string>

namespace hb::resource {
namespace {

constexpr auto running = ScriptStatus::running;
constexpr auto stopped = ScriptStatus::stopped;
constexpr auto failed = ScriptStatus::failed;

TEST(ScriptStatusText, WhatInitScriptsPrintIsRecognized) {
  EXPECT_EQ(status_from_text("httpd (pid 1234) is running..."), running);
  EXPECT_EQ(status_from_text("db2 instance db2inst1 Running"), running);
  EXPECT_EQ(status_from_text("INFO: IPaddr Running OK\n"), running);
  EXPECT_EQ(status_from_text("OK"), running);
  EXPECT_EQ(status_from_text("httpd is not running"), stopped);
  EXPECT_EQ(status_from_text("MQ queue manager QM1 NOT running"), stopped);
  EXPECT_EQ(status_from_text("Not Running"), stopped);
  // systemd's answer through an LSB redirect: "Active: active (running)".
  EXPECT_EQ(status_from_text("   Active: active (running) since Thu"), running);
}

TEST(ScriptStatusText, NotBeforeRunningWinsWhereverTheyAre) {
  // The shell pattern is *not *running*: one space after "not", anything before "running".
  EXPECT_EQ(status_from_text("server is not currently running"), stopped);
  EXPECT_EQ(status_from_text("not\nrunning"), running);  // a newline is not the space
  EXPECT_EQ(status_from_text("line one: not ok\nline two: still running"), stopped);
  EXPECT_EQ(status_from_text("cannot tell; running"), stopped);  // "cannot " holds "not "
  EXPECT_EQ(status_from_text("running, not stalled"), running);  // "not" after "running"
  EXPECT_EQ(status_from_text("notrunning"), running);            // no space: only *running*
}

TEST(ScriptStatusText, OnlyTheCasesHeartbeatsPatternsAllow) {
  EXPECT_EQ(status_from_text("RUNNING"), std::nullopt);  // [Rr]unning: the rest lowercase
  EXPECT_EQ(status_from_text("NOT RUNNING"), std::nullopt);
  EXPECT_EQ(status_from_text("ok"), std::nullopt);       // *OK* is case-sensitive
  EXPECT_EQ(status_from_text("BROKEN"), running);        // ...and matches inside a word
  EXPECT_EQ(status_from_text("stopped"), std::nullopt);  // heartbeat read this as not owned
  EXPECT_EQ(status_from_text(""), std::nullopt);
  EXPECT_EQ(status_from_text("runnin"), std::nullopt);
  EXPECT_EQ(status_from_text("not "), std::nullopt);
}

TEST(ScriptStatusExitCode, LsbCodes) {
  EXPECT_EQ(status_from_exit_code(0), running);
  EXPECT_EQ(status_from_exit_code(3), stopped);
  // OCF's "not running", which heartbeat's resource.d wrappers (hto-mapfuncs) pass on with the
  // text "INFO: IPaddr Resource is stopped", matched by neither pattern.
  EXPECT_EQ(status_from_exit_code(7), stopped);
  EXPECT_EQ(script_status("INFO: IPaddr Resource is stopped", 7), stopped);
  for (int code : {1, 2, 4, 5, 6, 8, 126, 127, 143, 255, -1})
    EXPECT_EQ(status_from_exit_code(code), failed);
}

TEST(ScriptStatus, TheTextDecidesWhenItSaysSomething) {
  // A script that prints "not running" but exits 0 is stopped (heartbeat never read the code).
  EXPECT_EQ(script_status("product not running", 0), stopped);
  EXPECT_EQ(script_status("product is running", 3), running);
  EXPECT_EQ(script_status("product is running", 1), running);
  // Output the patterns do not know: the exit code.
  EXPECT_EQ(script_status("stopped", 0), running);
  EXPECT_EQ(script_status("stopped", 3), stopped);
  EXPECT_EQ(script_status("", 0), running);
  EXPECT_EQ(script_status("", 3), stopped);
  EXPECT_EQ(script_status("no pid file", 1), failed);
}

TEST(ScriptStatus, TheRunnersExitCodes) {
  EXPECT_EQ(lsb_status_code(running), 0);
  EXPECT_EQ(lsb_status_code(stopped), 3);
  EXPECT_EQ(lsb_status_code(failed), 1);
  EXPECT_EQ(to_string(running), "running");
  EXPECT_EQ(to_string(stopped), "stopped");
  EXPECT_EQ(to_string(failed), "failed");
}

TEST(ScriptStatusText, BinaryOrHugeOutputNeverCrashes) {
  std::string big(1 << 20, 'x');
  EXPECT_EQ(status_from_text(big), std::nullopt);
  big += "not running";
  EXPECT_EQ(status_from_text(big), stopped);
  const std::string binary("\0\xff\x01not \0running", 15);
  EXPECT_EQ(status_from_text(binary), stopped);
}

}  // namespace
}  // namespace hb::resource
