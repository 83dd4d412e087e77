/*
 * Integration tests of the HTTP providers: each provider's fetch() through
 * the real HTTP client (carbon-cache/http.c, libcurl) against
 * tests/fake-provider/server.py, for every scenario the fake serves
 * (normal, 401, 403, 429, 500, hang, truncated, malformed, nulls,
 * empty-forecast, huge), asserting the series or the message.
 *
 * The server is started here on a free loopback port and stopped by its
 * PID (SIGTERM, then SIGKILL after 5 s) when the tests end.  Without
 * python3 or the script (run from the source tree, or set
 * CARBON_FAKE_PROVIDER to the script) the tests are skipped.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "http.h"
#include "providers/electricitymaps.h"
#include "providers/entsoe.h"
#include "providers/gsf.h"
#include "providers/ukci.h"
#include "providers/watttime.h"

#define SCRIPT_DEFAULT "tests/fake-provider/server.py"

static pid_t server_pid = -1;
static int port;
static char dir[] = "/tmp/carbon-fakeprov-XXXXXX";
static char pidfile[128], token_file[128], pw_file[128];
static struct carbon_http *http;
static volatile sig_atomic_t stop_flag;
static struct carbon_factors table;
static char err[1024];

/* ---- the server ---------------------------------------------------------------- */

static int free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), p = -1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
	    !getsockname(fd, (struct sockaddr *)&a, &len))
		p = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return p;
}

static bool answers(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = fd >= 0 && !connect(fd, (struct sockaddr *)&a, sizeof(a));
	if (fd >= 0)
		close(fd);
	return ok;
}

static void write_secret(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd >= 0) {
		if (write(fd, text, strlen(text)) < 0)
			perror(path);
		close(fd);
	}
}

static void stop_server(void)
{
	int status;

	if (server_pid <= 0)
		return;
	kill(server_pid, SIGTERM);
	for (int i = 0; i < 100; i++) {
		if (waitpid(server_pid, &status, WNOHANG) == server_pid) {
			server_pid = -1;
			return;
		}
		usleep(50000);
	}
	kill(server_pid, SIGKILL);
	waitpid(server_pid, &status, 0);
	server_pid = -1;
}

static int start_server(void **state)
{
	const char *script = getenv("CARBON_FAKE_PROVIDER");
	struct carbon_http_limits lim = {
		.connect_timeout_ms = 2000,
		.total_timeout_ms = 1000,
		.retries = 1,
		.backoff_ms = 50,
		.retry_after_max_ms = 1500,
	};
	char ports[16];

	(void)state;
	script = script ? script : SCRIPT_DEFAULT;
	if (access(script, R_OK) || system("python3 -c '' 2>/dev/null"))
		return 0; /* every test skips */
	if (!mkdtemp(dir) || (port = free_port()) < 0)
		return -1;
	snprintf(pidfile, sizeof(pidfile), "%s/server.pid", dir);
	snprintf(token_file, sizeof(token_file), "%s/token", dir);
	snprintf(pw_file, sizeof(pw_file), "%s/password", dir);
	write_secret(token_file, "fake-token\n");
	write_secret(pw_file, "fake-password\n");
	snprintf(ports, sizeof(ports), "%d", port);
	server_pid = fork();
	if (server_pid == 0) {
		execlp("python3", "python3", script, "--port", ports,
		       "--pidfile", pidfile, "--hang-seconds", "20",
		       (char *)NULL);
		_exit(127);
	}
	for (int i = 0; server_pid > 0 && i < 200; i++) {
		if (!access(pidfile, R_OK) && answers())
			break;
		usleep(50000);
	}
	if (server_pid < 0 || !answers()) {
		stop_server();
		return -1;
	}
	http = carbon_http_new(&lim, &stop_flag);
	memset(&table, 0, sizeof(table));
	table.basis = CARBON_BASIS_LIFECYCLE;
	table.other = 700;
	for (int k = 0; k < CARBON_PSR_MAX; k++)
		table.factor[k] = 500;
	return http ? 0 : -1;
}

static int stop_all(void **state)
{
	(void)state;
	stop_server();
	carbon_http_free(http);
	unlink(token_file);
	unlink(pw_file);
	unlink(pidfile);
	rmdir(dir);
	return 0;
}

/* ---- one fetch ---------------------------------------------------------------------- */

struct provider {
	const struct carbon_provider_ops *ops;
	enum carbon_provider_type type;
	const char *suffix; /* after /scenario/NAME */
	const char *area;
	enum carbon_signal signal;
	enum carbon_basis basis;
	bool has_forecast;
};

static const struct provider providers[] = {
	{&carbon_electricitymaps_ops, CARBON_PROVIDER_ELECTRICITYMAPS, "/v3/",
	 "FR", CARBON_SIGNAL_AVERAGE, CARBON_BASIS_LIFECYCLE, true},
	{&carbon_watttime_ops, CARBON_PROVIDER_WATTTIME, "", "CAISO_NORTH",
	 CARBON_SIGNAL_MARGINAL, CARBON_BASIS_OPERATIONAL, true},
	{&carbon_entsoe_ops, CARBON_PROVIDER_ENTSOE, "/api", "10YES-REE------0",
	 CARBON_SIGNAL_AVERAGE, CARBON_BASIS_LIFECYCLE, false},
	{&carbon_ukci_ops, CARBON_PROVIDER_UKCI, "", "national",
	 CARBON_SIGNAL_AVERAGE, CARBON_BASIS_DIRECT, true},
	{&carbon_ukci_ops, CARBON_PROVIDER_UKCI, "", "region:13",
	 CARBON_SIGNAL_AVERAGE, CARBON_BASIS_DIRECT, true},
	{&carbon_gsf_ops, CARBON_PROVIDER_GSF, "", "eastus",
	 CARBON_SIGNAL_AVERAGE, CARBON_BASIS_LIFECYCLE, true},
};
#define N_PROVIDERS (sizeof(providers) / sizeof(providers[0]))

static int fetch(const struct provider *p, const char *scenario,
		 carbon_series **out)
{
	struct carbon_provider_conf cfg = {0};
	void *st = NULL;
	int rc;

	snprintf(cfg.name, sizeof(cfg.name), "%s", p->ops->type);
	cfg.type = p->type;
	cfg.signal = p->signal;
	cfg.basis = p->basis;
	snprintf(cfg.url, sizeof(cfg.url), "http://127.0.0.1:%d/scenario/%s%s",
		 port, scenario, p->suffix);
	if (p->type != CARBON_PROVIDER_UKCI)
		snprintf(cfg.token_file, sizeof(cfg.token_file), "%s",
			 token_file);
	snprintf(cfg.user, sizeof(cfg.user), "carbon");
	snprintf(cfg.password_file, sizeof(cfg.password_file), "%s", pw_file);
	snprintf(cfg.factor_table, sizeof(cfg.factor_table), "t");
	err[0] = '\0';
	*out = NULL;
	rc = p->ops->open(&cfg, &st, err, sizeof(err));
	if (rc)
		fail_msg("%s: open: %s", p->ops->type, err);
	if (p->type == CARBON_PROVIDER_ENTSOE)
		assert_int_equal(carbon_entsoe_bind_factors(st, &table, err,
							    sizeof(err)),
				 0);
	rc = p->ops->fetch(st, &cfg, http, p->area, (int64_t)time(NULL), out,
			   err, sizeof(err));
	p->ops->close(st);
	return rc;
}

static void expect_series(const struct provider *p, const char *scenario,
			  bool forecast)
{
	const struct carbon_series_point *v;
	carbon_series *s;
	size_t n, fc = 0;

	if (fetch(p, scenario, &s))
		fail_msg("%s %s %s: %s", p->ops->type, p->area, scenario, err);
	n = carbon_series_count(s);
	v = carbon_series_points_peek(s);
	for (size_t i = 0; i < n; i++)
		fc += v[i].is_forecast;
	if (n < 4 || (forecast && fc == 0) || (!forecast && fc))
		fail_msg("%s %s %s: %zu points, %zu forecast", p->ops->type,
			 p->area, scenario, n, fc);
	assert_int_equal(carbon_series_meta_peek(s)->signal, p->signal);
	assert_int_equal(carbon_series_meta_peek(s)->basis, p->basis);
	carbon_series_free(s);
}

static void expect_error(const struct provider *p, const char *scenario,
			 const char *text)
{
	carbon_series *s;

	if (!fetch(p, scenario, &s))
		fail_msg("%s %s %s: no error", p->ops->type, p->area, scenario);
	assert_null(s);
	if (!strstr(err, text))
		fail_msg("%s %s %s: \"%s\" lacks \"%s\"", p->ops->type, p->area,
			 scenario, err, text);
	if (strstr(err, "fake-token") || strstr(err, "fake-password"))
		fail_msg("a secret in \"%s\"", err);
}

#define EACH_PROVIDER(p)                           \
	if (server_pid <= 0)                       \
		skip();                            \
	for (const struct provider *p = providers; \
	     p < providers + N_PROVIDERS; p++)

/* ---- scenarios ------------------------------------------------------------------------ */

static void test_normal_and_nulls(void **state)
{
	(void)state;
	EACH_PROVIDER(p)
	{
		expect_series(p, "normal", p->has_forecast);
		expect_series(p, "nulls", p->has_forecast);
	}
}

static void test_empty_forecast(void **state)
{
	(void)state;
	EACH_PROVIDER(p)
	{
		if (p->type == CARBON_PROVIDER_ENTSOE)
			expect_error(p, "empty-forecast",
				     "A75: no data: No matching data found");
		else
			expect_series(p, "empty-forecast",
				      !strcmp(p->area, "region:13"));
	}
}

static void test_auth(void **state)
{
	(void)state;
	EACH_PROVIDER(p)
	{
		if (p->type == CARBON_PROVIDER_WATTTIME) {
			expect_error(p, "401",
				     "login: User or PasswordFile "
				     "rejected (HTTP 401)");
			expect_error(p, "403", "rejected (HTTP 403)");
			continue;
		}
		expect_error(p, "401", "token rejected (HTTP 401)");
		expect_error(p, "403", "token rejected (HTTP 403)");
	}
}

static void test_rate_limit_and_server_error(void **state)
{
	(void)state;
	EACH_PROVIDER(p)
	{
		expect_error(p, "429",
			     "rate limited (HTTP 429) after 2 "
			     "attempts");
		expect_error(p, "500",
			     "server error (HTTP 500) after 2 "
			     "attempts");
	}
}

static void test_hang(void **state)
{
	(void)state;
	EACH_PROVIDER(p)
	expect_error(p, "hang", "no answer: timed out after 1.0 s");
}

static void test_broken_bodies(void **state)
{
	(void)state;
	EACH_PROVIDER(p)
	{
		bool xml = p->type == CARBON_PROVIDER_ENTSOE;

		expect_error(p, "truncated",
			     xml ? " XML at line" : "truncated JSON");
		expect_error(p, "malformed",
			     xml ? "malformed XML" : "malformed JSON");
		expect_error(p, "huge", "body over 8388608 bytes");
	}
}

static void test_wrong_credentials(void **state)
{
	carbon_series *s;

	(void)state;
	if (server_pid <= 0)
		skip();
	/* the fake checks credentials as the APIs do */
	write_secret(token_file, "wrong-token\n");
	write_secret(pw_file, "wrong-password\n");
	expect_error(&providers[0], "normal",
		     "history: token rejected (HTTP "
		     "401)");
	expect_error(&providers[1], "normal",
		     "login: User or PasswordFile "
		     "rejected (HTTP 401)");
	expect_error(&providers[2], "normal", "A75: token rejected (HTTP 401)");
	write_secret(token_file, "fake-token\n");
	write_secret(pw_file, "fake-password\n");
	assert_int_equal(fetch(&providers[1], "normal", &s), 0);
	carbon_series_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normal_and_nulls),
		cmocka_unit_test(test_empty_forecast),
		cmocka_unit_test(test_auth),
		cmocka_unit_test(test_rate_limit_and_server_error),
		cmocka_unit_test(test_hang),
		cmocka_unit_test(test_broken_bodies),
		cmocka_unit_test(test_wrong_credentials),
	};

	return cmocka_run_group_tests(tests, start_server, stop_all);
}
