/* xl-parse CFG: parse an xl domU config with Xen's own parser (libxlutil,
 * as `xl create` does) and print its values, one "key value" per line,
 * for tests/e2e/xen*.bats. Each disk is also parsed as xl parses a disk
 * spec: "disk N target vdev format". Exit 1 when the file does not parse. */
#include <stdio.h>
#include <libxl.h>
#include <libxlutil.h>

int main(int argc, char **argv)
{
	XLU_Config *cfg = xlu_cfg_init(stderr, argv[1]);
	if (argc != 2 || !cfg || xlu_cfg_readfile(cfg, argv[1]))
		return 1;
	static const char *const strings[] = { "name", "bootloader", "kernel", "ramdisk", "root", "extra",
					       "on_poweroff", "on_reboot", "on_crash" };
	const char *s;
	long l;
	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		if (!xlu_cfg_get_string(cfg, strings[i], &s, 0))
			printf("%s %s\n", strings[i], s);
	if (!xlu_cfg_get_long(cfg, "memory", &l, 0))
		printf("memory %ld\n", l);
	if (!xlu_cfg_get_long(cfg, "vcpus", &l, 0))
		printf("vcpus %ld\n", l);
	XLU_ConfigList *list;
	int n;
	if (!xlu_cfg_get_list(cfg, "vif", &list, &n, 0))
		for (int i = 0; i < n; i++)
			printf("vif %s\n", xlu_cfg_get_listitem(list, i));
	if (!xlu_cfg_get_list(cfg, "disk", &list, &n, 0))
		for (int i = 0; i < n; i++) {
			const char *spec = xlu_cfg_get_listitem(list, i);
			libxl_device_disk disk;
			libxl_device_disk_init(&disk);
			if (xlu_disk_parse(cfg, 1, &spec, &disk))
				return 1;
			printf("disk %d %s %s %s\n", i, disk.pdev_path, disk.vdev,
			       libxl_disk_format_to_string(disk.format));
			libxl_device_disk_dispose(&disk);
		}
	xlu_cfg_destroy(cfg);
	return 0;
}
