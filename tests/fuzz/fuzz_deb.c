/* fuzz_deb.c - the .deb reader: ar members, control.tar (every compression
 * libarchive knows) into the package record, data.tar decompressed. */
#include "fuzz.h"
#include "pkg_deb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_pkg f;
	if (fuzz_pkg_open(&f, data, size) < 0)
		return 0;
	struct xs_buf tar = { 0 };
	xs_deb_decode(&f.log, f.p, &tar);
	xs_pkg_ctrl(f.p, "control");
	xs_buf_free(&tar);
	xs_debinfo_free(f.p);
	f.p->family_data = NULL;
	fuzz_pkg_close(&f);
	return 0;
}
