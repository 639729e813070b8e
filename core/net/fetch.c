/* fetch.c - parallel libcurl downloads, verified while they stream. */
#include "fetch.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "version.h"

enum { MAX_TRIES = 4, MAX_REDIRS = 10 };
/* What a transfer may bring when no index gives its size: metadata held in
 * memory (InRelease, repomd.xml, signatures) and files (rpm-md's primary
 * when repomd.xml gives no size). A mirror that never stops is cut off. */
#define MEM_MAX (64ull << 20)
#define FILE_MAX (4ull << 30)

struct job {
	struct xs_transfer *t;
	CURL *h;
	int fd, lockfd;
	char *part;
	struct xs_digest *digest;
	uint64_t got, resume_from;
	int tries;
	double not_before;
	bool checked_code;
	bool too_long;
	uint64_t limit;
	char errbuf[CURL_ERROR_SIZE];
};

/* The CA certificates for https: $SSL_CERT_FILE or $CURL_CA_BUNDLE, else
 * the first bundle of the host's family that exists. libcurl knows only the
 * path of the distribution it was built on; a static xstrap built on Debian
 * runs on EL and SUSE hosts too. NULL: libcurl's own default. */
static const char *ca_file;

static const char *find_ca_file(void)
{
	static const char *const bundles[] = {
		"/etc/ssl/certs/ca-certificates.crt",                /* Debian, Ubuntu, Arch, Gentoo */
		"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", /* Fedora, EL */
		"/etc/pki/tls/certs/ca-bundle.crt",                  /* older EL */
		"/etc/ssl/ca-bundle.pem",                            /* openSUSE, SLES */
		"/etc/ssl/cert.pem",                                 /* Alpine */
	};
	const char *const env[] = { getenv("SSL_CERT_FILE"), getenv("CURL_CA_BUNDLE") };
	for (size_t i = 0; i < sizeof(env) / sizeof(env[0]); i++)
		if (env[i] && *env[i])
			return env[i];
	for (size_t i = 0; i < sizeof(bundles) / sizeof(bundles[0]); i++)
		if (!access(bundles[i], R_OK))
			return bundles[i];
	return NULL;
}

void xs_fetch_global_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	ca_file = find_ca_file();
}

static size_t on_data(char *p, size_t sz, size_t nm, void *arg)
{
	struct job *j = arg;
	size_t n = sz * nm;
	if (!j->checked_code) {
		long code = 0;
		curl_easy_getinfo(j->h, CURLINFO_RESPONSE_CODE, &code);
		j->checked_code = true;
		if (j->resume_from && code == 200) {
			/* The server ignored the range: start over. */
			if (j->fd >= 0 && (ftruncate(j->fd, 0) < 0 || lseek(j->fd, 0, SEEK_SET) < 0))
				return 0;
			xs_digest_abort(j->digest);
			j->digest = xs_digest_new_sha256();
			j->got = 0;
			j->resume_from = 0;
		}
	}
	if (j->got + n > j->limit) {
		j->too_long = true; /* longer than the index says: refuse to store it */
		return 0;
	}
	if (j->fd >= 0) {
		for (size_t off = 0; off < n;) {
			ssize_t w = write(j->fd, p + off, n - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return 0;
			off += w;
		}
	} else {
		xs_buf_add(j->t->mem, p, n);
	}
	xs_digest_add(j->digest, p, n);
	j->got += n;
	return n;
}

static void job_close(struct job *j)
{
	if (j->h)
		curl_easy_cleanup(j->h);
	j->h = NULL;
	if (j->fd >= 0)
		close(j->fd);
	j->fd = -1;
	if (j->lockfd >= 0)
		close(j->lockfd); /* drops the flock */
	j->lockfd = -1;
	xs_digest_abort(j->digest);
	j->digest = NULL;
}

int xs_fetch_check_dir(struct xs_log *log, const char *dir)
{
	struct stat st;
	if (stat(dir, &st) < 0)
		return xs_fail(log, errno, "%s: %s", dir, strerror(errno));
	if (st.st_uid != geteuid() || (st.st_mode & 022))
		return xs_fail(log, EPERM,
			       "%s: the cache directory is owned by uid %u with mode %04o; expected one owned by uid %u that no one else can write (others could replace what xstrap verified); fix it or use --cache-dir",
			       dir, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777), (unsigned)geteuid());
	return 0;
}

static int check_cache_dir(struct xs_log *log, const char *dest)
{
	const char *slash = strrchr(dest, '/');
	_cleanup_free_ char *dir = slash ? xs_strndup(dest, slash == dest ? 1 : (size_t)(slash - dest)) : xs_strdup(".");
	return xs_fetch_check_dir(log, dir);
}

/* DEST is in the cache: a regular file (never a symlink planted there)
 * of the size the index gives, when it gives one. */
static bool in_cache(const struct xs_transfer *t)
{
	struct stat st;
	return !lstat(t->dest, &st) && S_ISREG(st.st_mode) && (!t->size || (uint64_t)st.st_size == t->size);
}

/* An existing DEST.part is continued only when it is a plain file of ours
 * with no other name (not a link planted to make us write elsewhere);
 * otherwise it is removed and a new one created exclusively. Returns the
 * fd, or -errno; *size is what it holds. */
static int open_part_file(const char *part, off_t *size)
{
	int fd = open(part, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	if (fd >= 0 && !fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_nlink == 1 && st.st_uid == geteuid() &&
	    fcntl(fd, F_SETFL, 0) == 0) {
		*size = st.st_size;
		return fd;
	}
	if (fd >= 0)
		close(fd);
	if (unlink(part) < 0 && errno != ENOENT)
		return -errno;
	*size = 0;
	fd = open(part, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	return fd < 0 ? -errno : fd;
}

/* Opens DEST.part for this run alone: DEST.lock, never unlinked so that
 * every run locks the same file, keeps concurrent runs sharing a cache from
 * writing (or renaming) the same .part. Returns 1 when another run stored
 * DEST meanwhile. */
static int open_part(struct xs_log *log, struct job *j)
{
	struct xs_transfer *t = j->t;
	_cleanup_free_ char *lock = xs_asprintf("%s.lock", t->dest);
	j->lockfd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
	if (j->lockfd < 0)
		return xs_fail(log, errno, "%s: cannot create: %s", lock, strerror(errno));
	if (flock(j->lockfd, LOCK_EX) < 0)
		return xs_fail(log, errno, "%s: cannot lock: %s", lock, strerror(errno));
	if (in_cache(t))
		return 1;
	j->part = xs_asprintf("%s.part", t->dest);
	off_t have = 0;
	j->fd = open_part_file(j->part, &have);
	if (j->fd < 0)
		return xs_fail(log, -j->fd, "%s: cannot create: %s", j->part, strerror(-j->fd));
	j->digest = xs_digest_new_sha256();
	j->got = 0;
	j->resume_from = 0;
	if (t->sha256 && t->size && have > 0 && (uint64_t)have < t->size) {
		/* Resume: the bytes already there count towards the digest. */
		char chunk[65536];
		ssize_t r;
		lseek(j->fd, 0, SEEK_SET);
		while ((r = read(j->fd, chunk, sizeof(chunk))) > 0) {
			xs_digest_add(j->digest, chunk, r);
			j->got += r;
		}
		j->resume_from = j->got;
	} else if (ftruncate(j->fd, 0) < 0) {
		return xs_fail(log, errno, "%s: %s", j->part, strerror(errno));
	}
	lseek(j->fd, 0, SEEK_END);
	return 0;
}

/* A tunable from the environment (tests shorten the stall timeout). */
static long env_long(const char *name, long def)
{
	const char *v = getenv(name);
	char *end;
	long n = v ? strtol(v, &end, 10) : 0;
	return v && *v && !*end && n > 0 ? n : def;
}

static int job_start(struct xs_log *log, struct job *j, CURLM *m)
{
	struct xs_transfer *t = j->t;
	j->fd = -1;
	j->lockfd = -1;
	j->checked_code = false;
	j->too_long = false;
	j->limit = t->size ? t->size : t->dest ? FILE_MAX : MEM_MAX;
	if (t->dest) {
		int r = check_cache_dir(log, t->dest);
		if (r < 0)
			return r;
		if (in_cache(t)) {
			t->from_cache = true;
			return 1;
		}
		r = open_part(log, j);
		if (r > 0)
			t->from_cache = true;
		if (r)
			return r;
	} else {
		j->digest = xs_digest_new_sha256();
		j->got = 0;
		j->resume_from = 0;
		t->mem->len = 0;
	}
	j->h = curl_easy_init();
	curl_easy_setopt(j->h, CURLOPT_URL, t->url);
	curl_easy_setopt(j->h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(j->h, CURLOPT_WRITEDATA, j);
	curl_easy_setopt(j->h, CURLOPT_PRIVATE, j);
	curl_easy_setopt(j->h, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(j->h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(j->h, CURLOPT_MAXREDIRS, (long)MAX_REDIRS);
	curl_easy_setopt(j->h, CURLOPT_ERRORBUFFER, j->errbuf);
	curl_easy_setopt(j->h, CURLOPT_USERAGENT, "xstrap/" XS_VERSION);
	curl_easy_setopt(j->h, CURLOPT_CONNECTTIMEOUT, 30L);
	/* a mirror that stalls or trickles is given up on (and retried) */
	curl_easy_setopt(j->h, CURLOPT_LOW_SPEED_LIMIT, env_long("XSTRAP_LOW_SPEED_LIMIT", 100));
	curl_easy_setopt(j->h, CURLOPT_LOW_SPEED_TIME, env_long("XSTRAP_LOW_SPEED_TIME", 60));
	curl_easy_setopt(j->h, CURLOPT_PROTOCOLS_STR, "http,https,file");
	curl_easy_setopt(j->h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	if (ca_file)
		curl_easy_setopt(j->h, CURLOPT_CAINFO, ca_file);
	if (j->resume_from)
		curl_easy_setopt(j->h, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)j->resume_from);
	j->errbuf[0] = 0;
	curl_multi_add_handle(m, j->h);
	return 0;
}

/* A failure that another try may not have: the server's (5xx, 408, 429)
 * or the connection's (refused, cut, stalled, empty). */
static bool is_transient(CURLcode cc, long code)
{
	if (code >= 500 || code == 408 || code == 429)
		return true;
	switch (cc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_GOT_NOTHING:
		return true;
	default:
		return code == 0 && cc != CURLE_TOO_MANY_REDIRECTS;
	}
}

/* Returns 0 done, 1 retry later, <0 failed for good. */
static int job_finish(struct xs_log *log, struct job *j, CURLcode cc)
{
	struct xs_transfer *t = j->t;
	long code = 0;
	curl_easy_getinfo(j->h, CURLINFO_RESPONSE_CODE, &code);
	bool is_file = xs_str_startswith(t->url, "file:");
	bool last = j->tries + 1 >= MAX_TRIES;
	if (j->too_long) {
		if (j->part)
			unlink(j->part);
		if (t->size)
			return xs_fail(log, EBADMSG, "%s: size mismatch: expected %llu bytes, got more (the file differs from what the signed index promises; discarded)",
				       t->url, (unsigned long long)t->size);
		return xs_fail(log, EFBIG, "%s: more than %llu bytes, the most xstrap takes for a file of unknown size; discarded (is the mirror sending an endless answer?)",
			       t->url, (unsigned long long)j->limit);
	}
	if (cc != CURLE_OK) {
		bool missing = (code == 404 || code == 410) ||
			       (is_file && (cc == CURLE_FILE_COULDNT_READ_FILE));
		if (missing) {
			if (j->part)
				unlink(j->part);
			if (t->missing_ok)
				return -ENOENT;
			return xs_fail(log, ENOENT, "%s: not found on the mirror (%s)", t->url,
				       code ? "HTTP 404" : "no such file");
		}
		if (cc == CURLE_RANGE_ERROR && j->part && !last) {
			/* the server cannot resume: the next try starts over */
			unlink(j->part);
			return 1;
		}
		bool transient = !is_file && is_transient(cc, code);
		if (transient && !last)
			return 1;
		const char *why = j->errbuf[0] ? j->errbuf : curl_easy_strerror(cc);
		return xs_fail(log, EIO, "%s: download failed: %s%s", t->url, why,
			       transient ? " (gave up after retries; is the mirror reachable? check http_proxy)" : "");
	}
	if (t->size && j->got != t->size) {
		/* a complete answer, but short (a wrong Content-Length, a cut
		 * proxy): the bytes so far are resumed from, and checked */
		if (!is_file && !last)
			return 1;
		if (j->part)
			unlink(j->part);
		return xs_fail(log, EBADMSG, "%s: size mismatch: expected %llu bytes, got %llu%s", t->url,
			       (unsigned long long)t->size, (unsigned long long)j->got,
			       is_file ? "" : " (the server ended the file early; gave up after retries)");
	}
	char hex[XS_SHA256_HEX];
	xs_digest_final(j->digest, hex);
	j->digest = NULL;
	if (t->sha256 && strcmp(hex, t->sha256)) {
		if (j->part)
			unlink(j->part);
		return xs_fail(log, EBADMSG,
			       "%s: SHA256 mismatch: expected %s, got %s (the file differs from what the signed index promises; discarded)",
			       t->url, t->sha256, hex);
	}
	if (j->part && rename(j->part, t->dest) < 0)
		return xs_fail(log, errno, "%s: cannot store: %s", t->dest, strerror(errno));
	return 0;
}

int xs_fetch_all(struct xs_log *log, struct xs_transfer *t, size_t n, int parallel,
		 const char *what)
{
	struct job *jobs = xs_calloc(n, sizeof(*jobs));
	CURLM *m = curl_multi_init();
	size_t next = 0, active = 0, finished = 0;
	int first_err = 0;
	uint64_t total = 0;
	for (size_t i = 0; i < n; i++) {
		jobs[i].t = &t[i];
		jobs[i].fd = -1;
		jobs[i].lockfd = -1;
		t[i].result = 0;
		total += t[i].size;
	}
	curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)parallel);
	size_t *retry = xs_calloc(n, sizeof(*retry));
	size_t nretry = 0;
	while (finished < n && !first_err) {
		double now = xs_now();
		/* Start queued retries whose backoff has passed, then new jobs. */
		for (size_t k = 0; k < nretry && active < (size_t)parallel;) {
			struct job *j = &jobs[retry[k]];
			if (j->not_before > now) {
				k++;
				continue;
			}
			retry[k] = retry[--nretry];
			int r = job_start(log, j, m);
			if (r < 0) {
				first_err = j->t->result = r;
				break;
			}
			if (r > 0) { /* another run stored it meanwhile */
				job_close(j);
				finished++;
				continue;
			}
			active++;
		}
		while (!first_err && next < n && active < (size_t)parallel) {
			struct job *j = &jobs[next++];
			int r = job_start(log, j, m);
			if (r < 0)
				first_err = j->t->result = r;
			else if (r > 0) {
				job_close(j);
				finished++;
			} else
				active++;
		}
		if (first_err)
			break;
		int running = 0;
		curl_multi_perform(m, &running);
		CURLMsg *msg;
		int left;
		while ((msg = curl_multi_info_read(m, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			struct job *j;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&j);
			curl_multi_remove_handle(m, j->h);
			active--;
			int r = job_finish(log, j, msg->data.result);
			job_close(j);
			if (r == 1) {
				j->tries++;
				j->not_before = xs_now() + 0.5 * (1 << j->tries);
				free(j->part);
				j->part = NULL;
				retry[nretry++] = j - jobs;
				xs_debug(log, "%s: retrying (%d)", j->t->url, j->tries);
				continue;
			}
			j->t->result = r;
			if (r < 0 && j->t->mem && j->t->mem->data) {
				/* no partial answer is left for a caller to use */
				j->t->mem->len = 0;
				j->t->mem->data[0] = 0;
			}
			finished++;
			if (r < 0 && !(r == -ENOENT && j->t->missing_ok))
				first_err = r;
		}
		if (total && what) {
			uint64_t done = 0;
			for (size_t i = 0; i < n; i++)
				done += t[i].from_cache || (jobs[i].t->result == 0 && i < next && !jobs[i].h)
						? t[i].size
						: jobs[i].got;
			xs_progress(log, what, done, total, "MB");
		}
		if (finished < n && !first_err)
			curl_multi_poll(m, NULL, 0, 100, NULL);
	}
	for (size_t i = 0; i < n; i++) {
		if (jobs[i].h)
			curl_multi_remove_handle(m, jobs[i].h);
		job_close(&jobs[i]);
		free(jobs[i].part);
	}
	xs_progress_end(log);
	curl_multi_cleanup(m);
	free(jobs);
	free(retry);
	return first_err;
}

int xs_fetch_one(struct xs_log *log, struct xs_transfer *t)
{
	int r = xs_fetch_all(log, t, 1, 1, NULL);
	return r ? r : t->result;
}
