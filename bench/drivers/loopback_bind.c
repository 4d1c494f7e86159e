/* loopback_bind.c -- keep a benchmarked indiserver on the loopback interface.
 *
 * libindi's indiserver always listens on the IPv4 wildcard address and has no
 * option to change that.  bench/run.py compiles this file into a temporary
 * directory and LD_PRELOADs it into indiserver: a bind() to 0.0.0.0 becomes a
 * bind() to 127.0.0.1; every other bind() is passed on unchanged.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>

typedef int (*real_bind_t)(int, const struct sockaddr *, socklen_t);

int bind(int fd, const struct sockaddr *addr, socklen_t addrlen)
{
    static real_bind_t real_bind;
    struct sockaddr_in local;

    if (real_bind == NULL)
        real_bind = (real_bind_t)dlsym(RTLD_NEXT, "bind");
    if (addr == NULL || addr->sa_family != AF_INET || addrlen < sizeof(struct sockaddr_in))
        return real_bind(fd, addr, addrlen);
    local = *(const struct sockaddr_in *)addr;
    if (local.sin_addr.s_addr != htonl(INADDR_ANY))
        return real_bind(fd, addr, addrlen);
    local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return real_bind(fd, (const struct sockaddr *)&local, sizeof local);
}
