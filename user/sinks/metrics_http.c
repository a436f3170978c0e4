// SPDX-License-Identifier: GPL-2.0-only
/*
 * metrics_http.c - the registry served over HTTP on a numeric listen address
 * that is loopback unless asked otherwise: GET or HEAD /metrics, and /healthz
 * for a liveness probe.
 *
 * Two threads, because one pool of connections cannot keep liveness from
 * being starved: whoever reaches the port (every hostNetwork pod on the
 * node) could hold all of a pool's connections, and the kubelet would
 * restart a healthy daemon.
 *
 * The front door owns the listening socket and accepts every connection
 * into one of FRONT_SLOTS slots. It peeks at the request (MSG_PEEK: nothing
 * is consumed) until its request line is there, at most FRONT_TIMEOUT_MS
 * after the accept. GET or HEAD /healthz it answers itself, with a fixed
 * reply; every other request it hands to libmicrohttpd (MHD_add_connection()),
 * whose pool serves /metrics: HTTP_MAX_CONNECTIONS connections, at most
 * HTTP_PER_IP from one client address, each closed after HTTP_TIMEOUT_S
 * without activity. When every slot is taken, a new connection takes the
 * oldest one's slot, unless that one's request has come in: it is served.
 *
 * Why connections held open cannot starve /healthz: the front door never
 * refuses a connection, holds none past FRONT_TIMEOUT_MS, answers /healthz
 * without waiting on another client or taking a lock, and pushes out the
 * oldest silent connection for a new one. A probe is lost only when
 * FRONT_SLOTS newer connections arrive between its connect and its request
 * (the kubelet sends both at once: on the node, well under a millisecond).
 * /healthz says that the process and its HTTP threads run, not that the
 * event loop makes progress: /metrics shows that.
 *
 * Every connection closed without an answer is counted, by reason, in
 * vftrace_http_connections_dropped_total, which /metrics adds to the
 * registry's families (the textfile has no HTTP server, so not there).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include "sinks/metrics.h"
#include "lib/util.h"

/* Connections not accepted yet, in the kernel: the front door drains them at once. */
#define LISTEN_BACKLOG 128
/* The /metrics pool: Prometheus needs one connection, a person with curl another. */
#define HTTP_MAX_CONNECTIONS 16u
#define HTTP_PER_IP 4u
#define HTTP_TIMEOUT_S 5u
/* The front door. A probe's request is about 150 bytes: a longer one goes to the pool. */
#define FRONT_SLOTS 64
#define FRONT_TIMEOUT_MS 2000
#define FRONT_HEAD_MAX 2048
#define FRONT_ACCEPT_BATCH 64 /* accepts in a row before the slots' own events */
#define FRONT_PAUSE_MS 100    /* out of file descriptors: accept again after this */

/* epoll tags beside the slots' indexes */
#define TAG_LISTEN FRONT_SLOTS
#define TAG_STOP (FRONT_SLOTS + 1)

#define DROPPED_FAMILY "vftrace_http_connections_dropped_total"

enum drop_reason {
	DROP_EVICTED, /* the front door was full and this was its oldest silent connection */
	DROP_REFUSED, /* the pool, or its client's share of it, was full */
	DROP_TIMEOUT, /* no request line in time, or a request the pool timed out */
	DROP_REASONS,
};

/* the label values, sorted */
static const char *const drop_names[DROP_REASONS] = {
	[DROP_EVICTED] = "evicted",
	[DROP_REFUSED] = "refused",
	[DROP_TIMEOUT] = "timeout",
};

/* A connection the front door accepted and has neither answered nor handed over. */
struct slot {
	int fd;		   /* -1: free */
	uint64_t since_ms; /* accepted at, CLOCK_MONOTONIC */
	uint64_t seq;	   /* the order of the accepts: the oldest has the lowest */
	struct sockaddr_storage peer;
	socklen_t peer_len;
};

struct vft_metrics_server {
	struct MHD_Daemon *daemon;
	struct vft_metrics *m;
	struct sockaddr_storage addr; /* as bound: the port chosen for port 0 */
	int listen_fd, epfd, stop_fd;
	bool front_started;
	pthread_t front;
	/* the front door's own, touched by its thread only */
	struct slot slots[FRONT_SLOTS];
	uint64_t seq;
	uint64_t paused_until_ms; /* 0: accepting */
	/* added to by both threads, read by the pool's: __atomic */
	uint64_t dropped[DROP_REASONS];
};

static void count_drop(struct vft_metrics_server *s, enum drop_reason r)
{
	__atomic_fetch_add(&s->dropped[r], 1, __ATOMIC_RELAXED);
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Whether the family name that @name starts (up to a space or @end) sorts after ours. */
static bool sorts_after_dropped(const char *name, const char *end)
{
	const char *sp = memchr(name, ' ', end - name);
	size_t n = sp ? (size_t)(sp - name) : (size_t)(end - name);

	/* strncmp() compares our NUL too: a longer name that begins with ours sorts after it */
	return strncmp(name, DROPPED_FAMILY, n) > 0;
}

/*
 * The registry's rendering with vftrace_http_connections_dropped_total put
 * among its families in name order, as a new malloc()ed text in @out (the
 * caller frees it). Returns 0 or -ENOMEM.
 */
static int render_all(struct vft_metrics_server *s, char **out, size_t *out_len)
{
	char *body = NULL, *text = NULL;
	size_t len = 0, size = 0, i;
	const char *at, *p, *nl;
	int err;
	FILE *f;

	*out = NULL;
	err = vft_metrics__render(s->m, &body, &len);
	if (err)
		return err;
	at = body + len;
	for (p = body; (nl = strchr(p, '\n')); p = nl + 1) {
		if (!strncmp(p, "# HELP ", 7) && sorts_after_dropped(p + 7, nl)) {
			at = p;
			break;
		}
	}
	f = open_memstream(&text, &size);
	if (!f) {
		free(body);
		return -ENOMEM;
	}
	fwrite(body, 1, at - body, f);
	fprintf(f, "# HELP " DROPPED_FAMILY " Connections this endpoint closed without an answer: "
		   "evicted (its front door was full), refused (the /metrics pool or the client's "
		   "share of it was full), timeout (no request in time).\n"
		   "# TYPE " DROPPED_FAMILY " counter\n");
	for (i = 0; i < DROP_REASONS; i++)
		fprintf(f, DROPPED_FAMILY "{reason=\"%s\"} %" PRIu64 "\n", drop_names[i],
			__atomic_load_n(&s->dropped[i], __ATOMIC_RELAXED));
	fwrite(at, 1, body + len - at, f);
	err = ferror(f) ? -ENOMEM : 0;
	if (fclose(f))
		err = -ENOMEM;
	free(body);
	if (err) {
		free(text);
		return err;
	}
	*out = text;
	*out_len = size;
	return 0;
}

/* ---- the pool: libmicrohttpd ---- */

static enum MHD_Result handle_request(void *cls, struct MHD_Connection *conn, const char *url,
				      const char *method, const char *version,
				      const char *upload_data, size_t *upload_data_size,
				      void **req_cls)
{
	static const char not_allowed[] = "method not allowed: GET /metrics or /healthz\n";
	static const char not_found[] =
		"not found: the metrics are at /metrics, the liveness probe at /healthz\n";
	static const char failed[] = "cannot render the metrics: out of memory\n";
	static const char healthy[] = "ok\n";
	struct vft_metrics_server *s = cls;
	const char *ctype = "text/plain; charset=utf-8";
	struct MHD_Response *resp = NULL;
	enum MHD_Result ret = MHD_NO;
	unsigned int status;
	char *body = NULL;
	size_t len = 0;

	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD)) {
		status = MHD_HTTP_METHOD_NOT_ALLOWED;
		resp = MHD_create_response_from_buffer(strlen(not_allowed), (void *)not_allowed,
						       MHD_RESPMEM_PERSISTENT);
		if (resp &&
		    MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD") != MHD_YES)
			goto out;
	} else if (!strcmp(url, "/healthz")) {
		/* the front door answers probes; this one came later on a kept-alive connection */
		status = MHD_HTTP_OK;
		resp = MHD_create_response_from_buffer(strlen(healthy), (void *)healthy,
						       MHD_RESPMEM_PERSISTENT);
	} else if (strcmp(url, "/metrics")) {
		status = MHD_HTTP_NOT_FOUND;
		resp = MHD_create_response_from_buffer(strlen(not_found), (void *)not_found,
						       MHD_RESPMEM_PERSISTENT);
	} else if (render_all(s, &body, &len)) {
		status = MHD_HTTP_INTERNAL_SERVER_ERROR;
		resp = MHD_create_response_from_buffer(strlen(failed), (void *)failed,
						       MHD_RESPMEM_PERSISTENT);
	} else {
		status = MHD_HTTP_OK;
		ctype = VFT_METRICS_CONTENT_TYPE;
		resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
		if (resp)
			body = NULL; /* the response frees it */
	}
	if (!resp)
		goto out;
	if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype) != MHD_YES)
		goto out;
	ret = MHD_queue_response(conn, status, resp);
out:
	if (resp)
		MHD_destroy_response(resp);
	free(body);
	return ret;
}

/*
 * A request ended. One the pool timed out was closed without its answer.
 * (libmicrohttpd reports only requests whose headers had all come in: a
 * client that never finishes its headers is closed by the same timeout but
 * not counted.)
 */
static void request_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
			      enum MHD_RequestTerminationCode toe)
{
	if (toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED)
		count_drop(cls, DROP_TIMEOUT);
}

/* libmicrohttpd's own messages (a client that misbehaved, a full pool): only with -v. */
static void http_log(void *cls, const char *fmt, va_list ap)
{
	char msg[256];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	vft_debug("metrics: http: %s\n", msg);
}

/* ---- the front door ---- */

enum look {
	LOOK_WAIT,	   /* the request line (or a probe's headers) is not all there yet */
	LOOK_HEALTHZ,	   /* GET /healthz, its head @head_len bytes */
	LOOK_HEALTHZ_HEAD, /* HEAD /healthz */
	LOOK_POOL,	   /* anything else: the pool answers it */
};

/* What the @n bytes peeked at the start of a request, @buf, ask for. */
static enum look classify(const char *buf, size_t n, size_t *head_len)
{
	const char *nl = memchr(buf, '\n', n), *end, *p;
	bool head;
	size_t i;

	if (!nl)
		return n < FRONT_HEAD_MAX ? LOOK_WAIT : LOOK_POOL;
	end = nl > buf && nl[-1] == '\r' ? nl - 1 : nl;
	if (end - buf > 4 && !memcmp(buf, "GET ", 4)) {
		head = false;
		p = buf + 4;
	} else if (end - buf > 5 && !memcmp(buf, "HEAD ", 5)) {
		head = true;
		p = buf + 5;
	} else {
		return LOOK_POOL;
	}
	if (end - p < 8 || memcmp(p, "/healthz", 8))
		return LOOK_POOL;
	p += 8;
	if (p < end && *p == '?') /* a query is allowed and ignored */
		while (p < end && *p != ' ')
			p++;
	if (end - p != 9 || memcmp(p, " HTTP/1.", 8) || (p[8] != '0' && p[8] != '1'))
		return LOOK_POOL; /* "/healthzx", HTTP/0.9 or 2: the pool says what is wrong */
	/* the whole head up to its empty line: closing with bytes unread would reset the connection */
	for (i = nl - buf; i < n; i++) {
		if (buf[i] != '\n')
			continue;
		if (i + 1 < n && buf[i + 1] == '\n') {
			*head_len = i + 2;
			return head ? LOOK_HEALTHZ_HEAD : LOOK_HEALTHZ;
		}
		if (i + 2 < n && buf[i + 1] == '\r' && buf[i + 2] == '\n') {
			*head_len = i + 3;
			return head ? LOOK_HEALTHZ_HEAD : LOOK_HEALTHZ;
		}
	}
	return n < FRONT_HEAD_MAX ? LOOK_WAIT : LOOK_POOL;
}

/* Reads the probe's head (@head_len bytes, peeked before) and sends the fixed answer. */
static void answer_healthz(int fd, size_t head_len, bool head_only)
{
	static const char reply[] = "HTTP/1.1 200 OK\r\n"
				    "Content-Type: text/plain; charset=utf-8\r\n"
				    "Content-Length: 3\r\n"
				    "Connection: close\r\n"
				    "\r\n"
				    "ok\n";
	char sink[FRONT_HEAD_MAX];

	if (recv(fd, sink, head_len, MSG_DONTWAIT) != (ssize_t)head_len)
		return; /* the bytes peeked are gone: the connection failed */
	/*
	 * A fresh connection's send buffer takes these 100 bytes whole; if it
	 * did not, the probe fails, which is what a probe is for.
	 */
	(void)send(fd, reply, sizeof(reply) - 1 - (head_only ? 3 : 0), MSG_NOSIGNAL | MSG_DONTWAIT);
}

static void slot_close(struct slot *sl)
{
	close(sl->fd); /* which takes it out of the epoll set too */
	sl->fd = -1;
}

/* To the pool, which owns the connection from now on and closes it when it refuses it. */
static void hand_over(struct vft_metrics_server *s, struct slot *sl)
{
	int fd = sl->fd;

	sl->fd = -1;
	/* out of the front door's epoll set before the pool may close it and the number is reused */
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, fd, NULL);
	if (MHD_add_connection(s->daemon, fd, (const struct sockaddr *)&sl->peer, sl->peer_len) !=
	    MHD_YES)
		count_drop(s, DROP_REFUSED);
}

/*
 * Peeks at @sl's request: answers /healthz, hands anything else to the pool,
 * or keeps waiting for the rest of the request line. Returns whether the
 * slot is free now.
 */
static bool look(struct vft_metrics_server *s, struct slot *sl)
{
	char buf[FRONT_HEAD_MAX];
	size_t head_len = 0;
	enum look what;
	ssize_t n;

	n = recv(sl->fd, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return false;
	if (n <= 0) { /* the client left, or its connection failed: there is no one to answer */
		slot_close(sl);
		return true;
	}
	what = classify(buf, n, &head_len);
	switch (what) {
	case LOOK_WAIT:
		return false;
	case LOOK_HEALTHZ:
	case LOOK_HEALTHZ_HEAD:
		answer_healthz(sl->fd, head_len, what == LOOK_HEALTHZ_HEAD);
		slot_close(sl);
		return true;
	case LOOK_POOL:
	default:
		hand_over(s, sl);
		return true;
	}
}

/* A slot for a new connection: a free one, else the oldest's (served first if its request came). */
static struct slot *take_slot(struct vft_metrics_server *s)
{
	struct slot *old = NULL;
	size_t i;

	for (i = 0; i < FRONT_SLOTS; i++) {
		if (s->slots[i].fd < 0)
			return &s->slots[i];
		if (!old || s->slots[i].seq < old->seq)
			old = &s->slots[i];
	}
	if (!look(s, old)) {
		slot_close(old);
		count_drop(s, DROP_EVICTED);
	}
	return old;
}

static void accept_batch(struct vft_metrics_server *s)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | EPOLLET };
	struct sockaddr_storage peer;
	socklen_t len;
	struct slot *sl;
	int i, fd;

	for (i = 0; i < FRONT_ACCEPT_BATCH; i++) {
		len = sizeof(peer);
		fd = accept4(s->listen_fd, (struct sockaddr *)&peer, &len,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0 && (errno == EINTR || errno == ECONNABORTED))
			continue;
		if (fd < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (fd < 0) {
			/*
			 * Out of file descriptors or memory: the connection waits in
			 * the kernel's queue. Listening on would wake this thread at
			 * once, again and again: pause instead.
			 */
			vft_debug("metrics: http: cannot accept a connection: %s; trying again in "
				  "%d ms\n",
				  strerror(errno), FRONT_PAUSE_MS);
			ev.events = 0;
			ev.data.u32 = TAG_LISTEN;
			epoll_ctl(s->epfd, EPOLL_CTL_MOD, s->listen_fd, &ev);
			s->paused_until_ms = mono_ms() + FRONT_PAUSE_MS;
			return;
		}
		sl = take_slot(s);
		sl->fd = fd;
		sl->since_ms = mono_ms();
		sl->seq = ++s->seq;
		memcpy(&sl->peer, &peer, sizeof(peer));
		sl->peer_len = len;
		/* edge-triggered: the bytes are only peeked, so a level would stay raised */
		ev.data.u32 = (uint32_t)(sl - s->slots);
		if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev)) {
			slot_close(sl);
			count_drop(s, DROP_REFUSED);
			continue;
		}
		look(s, sl); /* the request is often there already */
	}
}

/*
 * Closes the connections whose request did not come within FRONT_TIMEOUT_MS
 * and ends a pause. Returns the ms until the next deadline, or -1.
 */
static int expire(struct vft_metrics_server *s)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = TAG_LISTEN };
	uint64_t now = mono_ms(), next = UINT64_MAX, due;
	size_t i;

	for (i = 0; i < FRONT_SLOTS; i++) {
		if (s->slots[i].fd < 0)
			continue;
		due = s->slots[i].since_ms + FRONT_TIMEOUT_MS;
		if (due <= now) {
			slot_close(&s->slots[i]);
			count_drop(s, DROP_TIMEOUT);
		} else if (due < next) {
			next = due;
		}
	}
	if (s->paused_until_ms && s->paused_until_ms <= now) {
		s->paused_until_ms = 0;
		epoll_ctl(s->epfd, EPOLL_CTL_MOD, s->listen_fd, &ev);
	} else if (s->paused_until_ms && s->paused_until_ms < next) {
		next = s->paused_until_ms;
	}
	return next == UINT64_MAX ? -1 : (int)(next - now);
}

static void *front_main(void *arg)
{
	struct vft_metrics_server *s = arg;
	struct epoll_event evs[FRONT_SLOTS + 2];
	uint32_t tag;
	int i, n;

	for (;;) {
		n = epoll_wait(s->epfd, evs, FRONT_SLOTS + 2, expire(s));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			/* then /healthz stops answering, and the kubelet restarts the daemon */
			vft_warn("metrics: http: epoll_wait: %s: the endpoint stops answering\n",
				 strerror(errno));
			return NULL;
		}
		/* the requests that came in first, then new connections: serve before evicting */
		for (i = 0; i < n; i++) {
			tag = evs[i].data.u32;
			if (tag == TAG_STOP)
				return NULL;
			if (tag < FRONT_SLOTS && s->slots[tag].fd >= 0)
				look(s, &s->slots[tag]);
		}
		for (i = 0; i < n; i++)
			if (evs[i].data.u32 == TAG_LISTEN)
				accept_batch(s);
	}
}

/* ---- the listening socket and the object ---- */

/*
 * "ADDR:PORT", "[ADDR6]:PORT" or ":PORT" (127.0.0.1), numeric only, into
 * @ss. Returns 0 or -EINVAL.
 */
static int parse_listen(const char *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	char host[INET6_ADDRSTRLEN];
	const char *port_s, *end;
	unsigned long port = 0;
	bool v6 = false;
	size_t hlen;

	if (!s)
		return -EINVAL;
	if (s[0] == '[') {
		end = strchr(s, ']');
		if (!end || end[1] != ':')
			return -EINVAL;
		v6 = true;
		s++;
		hlen = end - s;
		port_s = end + 2;
	} else {
		end = strchr(s, ':');
		if (!end || strchr(end + 1, ':'))
			return -EINVAL; /* no port, or an IPv6 address without brackets */
		hlen = end - s;
		port_s = end + 1;
	}
	if (hlen >= sizeof(host) || !*port_s || strlen(port_s) > 5)
		return -EINVAL;
	for (end = port_s; *end; end++) {
		if (*end < '0' || *end > '9')
			return -EINVAL;
		port = port * 10 + (*end - '0');
	}
	if (port > 65535)
		return -EINVAL;
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (v6) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		return inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1 ? 0 : -EINVAL;
	}
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	return inet_pton(AF_INET, hlen ? host : "127.0.0.1", &sin->sin_addr) == 1 ? 0 : -EINVAL;
}

/* A listening socket on @ss; the bound address (its port) back in @ss. fd or -errno. */
static int listen_on(struct sockaddr_storage *ss)
{
	socklen_t len = ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
						    sizeof(struct sockaddr_in);
	int one = 1, fd, err;

	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		goto fail;
	/* [::]:PORT means IPv6 only: 0.0.0.0 is asked for by its own name. */
	if (ss->ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)))
		goto fail;
	if (bind(fd, (struct sockaddr *)ss, len) || listen(fd, LISTEN_BACKLOG))
		goto fail;
	len = sizeof(*ss);
	if (getsockname(fd, (struct sockaddr *)ss, &len))
		goto fail;
	return fd;
fail:
	err = -errno;
	close(fd);
	return err;
}

int vft_metrics__serve(struct vft_metrics *m, const char *addr_port,
		       struct vft_metrics_server **out)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct vft_metrics_server *s;
	sigset_t all, old;
	size_t i;
	int err;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->m = m;
	s->listen_fd = s->epfd = s->stop_fd = -1;
	for (i = 0; i < FRONT_SLOTS; i++)
		s->slots[i].fd = -1;
	err = parse_listen(addr_port, &s->addr);
	if (err) {
		vft_warn("metrics: bad listen address \"%s\": want ADDRESS:PORT, [ADDRESS]:PORT or "
			 ":PORT (127.0.0.1), numeric, port 0-65535\n",
			 addr_port ? addr_port : "");
		goto fail;
	}
	s->listen_fd = listen_on(&s->addr);
	if (s->listen_fd < 0) {
		err = s->listen_fd;
		vft_warn("metrics: cannot listen on %s: %s%s\n", addr_port, strerror(-err),
			 err == -EADDRINUSE    ? " (another process has this port)" :
			 err == -EADDRNOTAVAIL ? " (no interface has this address)" :
						 "");
		goto fail;
	}
	/* the pool listens on nothing: the front door hands it its connections */
	errno = 0;
	s->daemon = MHD_start_daemon(
		MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC |
			MHD_USE_ERROR_LOG,
		0, NULL, NULL, handle_request, s, MHD_OPTION_EXTERNAL_LOGGER, http_log, NULL,
		MHD_OPTION_CONNECTION_LIMIT, HTTP_MAX_CONNECTIONS,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, HTTP_PER_IP, MHD_OPTION_CONNECTION_TIMEOUT,
		HTTP_TIMEOUT_S, MHD_OPTION_NOTIFY_COMPLETED, request_completed, s, MHD_OPTION_END);
	if (!s->daemon) {
		err = errno > 0 ? -errno : -EIO;
		vft_warn("metrics: cannot start the HTTP server on %s: %s\n", addr_port,
			 strerror(-err));
		goto fail;
	}
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	s->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ev.data.u32 = TAG_LISTEN;
	if (s->epfd < 0 || s->stop_fd < 0 || epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->listen_fd, &ev))
		goto fail_errno;
	ev.data.u32 = TAG_STOP;
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->stop_fd, &ev))
		goto fail_errno;
	/* the process's signals are for the daemon's loop, never for this thread */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = -pthread_create(&s->front, NULL, front_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		vft_warn("metrics: cannot start the HTTP server's thread on %s: %s\n", addr_port,
			 strerror(-err));
		goto fail;
	}
	s->front_started = true;
	*out = s;
	return 0;
fail_errno:
	err = -errno;
	vft_warn("metrics: cannot set up the HTTP server on %s: %s\n", addr_port, strerror(-err));
fail:
	vft_metrics_server__free(s);
	return err;
}

uint16_t vft_metrics_server__port(const struct vft_metrics_server *s)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&s->addr;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&s->addr;

	return ntohs(s->addr.ss_family == AF_INET6 ? sin6->sin6_port : sin->sin_port);
}

void vft_metrics_server__addr(const struct vft_metrics_server *s, char *buf, size_t size)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&s->addr;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&s->addr;
	char host[INET6_ADDRSTRLEN] = "?";

	if (s->addr.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		snprintf(buf, size, "[%s]:%u", host, vft_metrics_server__port(s));
	} else {
		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		snprintf(buf, size, "%s:%u", host, vft_metrics_server__port(s));
	}
}

void vft_metrics_server__free(struct vft_metrics_server *s)
{
	uint64_t one = 1;
	size_t i;

	if (!s)
		return;
	if (s->front_started) {
		/* an eventfd write of 8 bytes cannot fail short of a bad fd */
		if (write(s->stop_fd, &one, sizeof(one)) != sizeof(one))
			vft_warn("metrics: cannot stop the HTTP server's thread: %s\n",
				 strerror(errno));
		else
			pthread_join(s->front, NULL);
	}
	for (i = 0; i < FRONT_SLOTS; i++)
		if (s->slots[i].fd >= 0)
			close(s->slots[i].fd);
	if (s->daemon)
		MHD_stop_daemon(s->daemon);
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	if (s->epfd >= 0)
		close(s->epfd);
	if (s->stop_fd >= 0)
		close(s->stop_fd);
	free(s);
}
