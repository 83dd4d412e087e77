/*
 * raw_submit: submit a batch job through libslurm with a spank_job_env of
 * our choosing, as a client without the carbon SPANK plugin (or with a
 * hostile one) could.  job_submit/carbon must check these values itself.
 *
 *   raw_submit [-H] [-t MINUTES] [-J NAME] NAME=VALUE...
 *
 * Each NAME=VALUE goes into job_desc->spank_job_env as is (e.g.
 * CARBON_URGENCY=sometimes).  -H submits the job held.  Prints the job id and
 * exits 0, or exits 1 after libslurm has printed slurmctld's message
 * ("error: ...") and we have printed Slurm's error for the refusal.
 *
 * Built by 20-options.bats: cc raw_submit.c -lslurm.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>

int main(int argc, char **argv)
{
	static char *env[] = {"PATH=/usr/bin:/bin", NULL};
	static char script[] = "#!/bin/sh\ntrue\n";
	submit_response_msg_t *resp = NULL;
	job_desc_msg_t d;
	char cwd[4096];
	int c;

	slurm_init(NULL);
	slurm_init_job_desc_msg(&d);
	d.name = "raw_submit";
	d.time_limit = 1;
	while ((c = getopt(argc, argv, "Ht:J:")) != -1) {
		switch (c) {
		case 'H':
			d.priority = 0;
			break;
		case 't':
			d.time_limit = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'J':
			d.name = optarg;
			break;
		default:
			fprintf(stderr, "usage: raw_submit [-H] [-t MINUTES] "
					"[-J NAME] NAME=VALUE...\n");
			return 2;
		}
	}
	if (!getcwd(cwd, sizeof(cwd)))
		strcpy(cwd, "/tmp");
	d.script = script;
	d.environment = env;
	d.env_size = 1;
	d.work_dir = cwd;
	d.std_out = "/dev/null";
	d.user_id = getuid();
	d.group_id = getgid();
	d.min_nodes = 1;
	d.spank_job_env = argv + optind;
	d.spank_job_env_size = (uint32_t)(argc - optind);
	if (slurm_submit_batch_job(&d, &resp) || !resp) {
		fprintf(stderr, "raw_submit: refused: %s\n",
			slurm_strerror(errno));
		return 1;
	}
	printf("%u\n", resp->job_id);
	slurm_free_submit_response_response_msg(resp);
	slurm_fini();
	return 0;
}
