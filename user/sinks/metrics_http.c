// SPDX-License-Identifier: GPL-2.0-only
/*
 * metrics_http.c - the registry served over HTTP by libmicrohttpd in a
 * thread of its own: GET or HEAD /metrics, on a numeric listen address that
 * is loopback unless asked otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <microhttpd.h>
#include "sinks/metrics.h"
#include "lib/util.h"

#define LISTEN_BACKLOG 16
#define HTTP_MAX_CONNECTIONS 16u
#define HTTP_TIMEOUT_S 10u

struct vft_metrics_server {
	struct MHD_Daemon *daemon;
	struct vft_metrics *m;
	struct sockaddr_storage addr; /* as bound: the port chosen for port 0 */
};

static enum MHD_Result handle_request(void *cls, struct MHD_Connection *conn, const char *url,
				      const char *method, const char *version,
				      const char *upload_data, size_t *upload_data_size,
				      void **req_cls)
{
	static const char not_allowed[] = "method not allowed: GET /metrics\n";
	static const char not_found[] = "not found: the metrics are at /metrics\n";
	static const char failed[] = "cannot render the metrics: out of memory\n";
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
	} else if (strcmp(url, "/metrics")) {
		status = MHD_HTTP_NOT_FOUND;
		resp = MHD_create_response_from_buffer(strlen(not_found), (void *)not_found,
						       MHD_RESPMEM_PERSISTENT);
	} else if (vft_metrics__render(s->m, &body, &len)) {
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

/* libmicrohttpd's own messages (a client that misbehaved, a full table): only with -v. */
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
	struct vft_metrics_server *s;
	struct stat before, after;
	int fd = -1, err;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->m = m;
	err = parse_listen(addr_port, &s->addr);
	if (err) {
		vft_warn("metrics: bad listen address \"%s\": want ADDRESS:PORT, [ADDRESS]:PORT or "
			 ":PORT (127.0.0.1), numeric, port 0-65535\n",
			 addr_port ? addr_port : "");
		goto fail;
	}
	fd = listen_on(&s->addr);
	if (fd < 0) {
		err = fd;
		vft_warn("metrics: cannot listen on %s: %s%s\n", addr_port, strerror(-err),
			 err == -EADDRINUSE    ? " (another process has this port)" :
			 err == -EADDRNOTAVAIL ? " (no interface has this address)" :
						 "");
		goto fail;
	}
	if (fstat(fd, &before)) {
		err = -errno;
		goto fail;
	}
	errno = 0;
	s->daemon = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG, 0, NULL,
				     NULL, handle_request, s, MHD_OPTION_LISTEN_SOCKET, fd,
				     MHD_OPTION_EXTERNAL_LOGGER, http_log, NULL,
				     MHD_OPTION_CONNECTION_LIMIT, HTTP_MAX_CONNECTIONS,
				     MHD_OPTION_CONNECTION_TIMEOUT, HTTP_TIMEOUT_S, MHD_OPTION_END);
	if (!s->daemon) {
		err = errno > 0 ? -errno : -EIO;
		/* libmicrohttpd closes the socket on some of its failures: close it only if not. */
		if (fstat(fd, &after) || after.st_ino != before.st_ino ||
		    after.st_dev != before.st_dev)
			fd = -1;
		vft_warn("metrics: cannot start the HTTP server on %s: %s\n", addr_port,
			 strerror(-err));
		goto fail;
	}
	*out = s;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	free(s);
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
	if (!s)
		return;
	MHD_stop_daemon(s->daemon);
	free(s);
}
