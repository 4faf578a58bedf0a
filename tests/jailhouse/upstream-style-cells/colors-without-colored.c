/* dialect: runphi-omnivisor */
#include "types.h"
#include "cell-config.h"

struct {
	struct jailhouse_cell_desc cell;
	__u64 cpus[1];
	__u64 rcpus[1];
	struct jailhouse_memory mem_regions[3];
} __attribute__((packed)) config = {
	.cell = {
		.signature = JAILHOUSE_CELL_DESC_SIGNATURE,
		.architecture = JAILHOUSE_ARM64,
		.revision = JAILHOUSE_CONFIG_REVISION,
		.name = "colours-no-flag",
		.flags = JAILHOUSE_CELL_PASSIVE_COMMREG,
		.cpu_set_size = sizeof(config.cpus),
		.rcpu_set_size = sizeof(config.rcpus),
		.num_memory_regions = ARRAY_SIZE(config.mem_regions),
		.console = {
			.address = 0xff010000,
			.type = JAILHOUSE_CON_TYPE_XUARTPS,
			.flags = JAILHOUSE_CON_ACCESS_MMIO |
				 JAILHOUSE_CON_REGDIST_4,
		},
	},
	.cpus = { 0x4 },
	.rcpus = { 0 },
	.mem_regions = {
		{ .phys_start = 0xff010000, .virt_start = 0xff010000, .size = 0x1000,
		  .flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE |
			JAILHOUSE_MEM_IO | JAILHOUSE_MEM_ROOTSHARED },
		/* colours left over from a coloured layout; no COLORED flag */
		{ .phys_start = 0x3ed00000, .virt_start = 0, .size = 0x01000000,
		  .flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE |
			JAILHOUSE_MEM_EXECUTE | JAILHOUSE_MEM_LOADABLE,
		  .colors = 0x0f0 },
		{ .virt_start = 0x80000000, .size = 0x00001000,
		  .flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE |
			JAILHOUSE_MEM_COMM_REGION },
	},
};
