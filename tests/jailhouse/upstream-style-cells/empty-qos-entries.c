/* dialect: runphi-rev13 */
#include "types.h"
#include "cell-config.h"

struct {
	struct jailhouse_cell_desc cell;
	__u64 cpus[1];
	struct jailhouse_memory mem_regions[2];
	struct jailhouse_qos_device qos_devices[4];
} __attribute__((packed)) config = {
	.cell = {
		.signature = JAILHOUSE_CELL_DESC_SIGNATURE,
		.revision = JAILHOUSE_CONFIG_REVISION,
		.name = "QEMU-root-qos",
		.cpu_set_size = sizeof(config.cpus),
		.num_memory_regions = ARRAY_SIZE(config.mem_regions),
		.num_qos_devices = ARRAY_SIZE(config.qos_devices),
	},
	.cpus = { 0xf },
	.mem_regions = {
		{ .phys_start = 0x09000000, .virt_start = 0x09000000, .size = 0x1000,
		  .flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE | JAILHOUSE_MEM_IO },
		{ .phys_start = 0x40000000, .virt_start = 0x40000000, .size = 0x30000000,
		  .flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE | JAILHOUSE_MEM_EXECUTE },
	},
	/* two named devices, the rest of the table left empty */
	.qos_devices = {
		{ .name = "rpu0", .flags = 0x3, .base = 0xa42100 },
		{ .name = "cci", .flags = 0x1, .base = 0x42100 },
	},
};
