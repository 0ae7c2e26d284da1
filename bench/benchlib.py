"""What the summaries share: JSON-lines results, medians per label, and the machine's and runtimes' descriptions."""
import json, os, platform, statistics, subprocess


def load_rows(path):
    return [json.loads(line) for line in open(path) if line.strip()]


def median_of(rows, label, key):
    values = [r[key] for r in rows if r["label"] == label and r.get(key) is not None]
    return statistics.median(values) if values else None


def cpu_model():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def machine():
    """'2 cores (CPU), 24 GiB, Linux 6.x' — the start of each table's Machine line."""
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu_model()}), {mem_gib:.0f} GiB, {platform.system()} {platform.release()}"


def postgres_version():
    """'postgres (PostgreSQL) 15.x ...' of the first server installed, the one the throw-away cluster runs."""
    return subprocess.run(["bash", "-c", "$(ls -d /usr/lib/postgresql/*/bin | head -1)/postgres --version"],
                          capture_output=True, text=True).stdout.strip()


def dotnet_runtime():
    out = subprocess.run(["dotnet", "--list-runtimes"], capture_output=True, text=True).stdout
    versions = [l.split()[1] for l in out.splitlines() if l.startswith("Microsoft.NETCore.App ")]
    return f".NET {versions[-1]}" if versions else ".NET"
