#!/usr/bin/env python3
"""Checks deploy/kubernetes without a cluster: every manifest parses and has
the fields its controller requires, with one message per violation.

  all objects   apiVersion, kind and metadata.name (a DNS-1123 name); the
                (apiVersion, kind) is one this directory is meant to use
  Deployment    replicas, selector.matchLabels within the template's labels;
                a Deployment on a ReadWriteOnce claim runs 1 replica with
                strategy Recreate (RocksDB has one writer)
  Service       a selector that picks a pod template here, ports with a
                targetPort the selected containers expose
  PVC           accessModes, resources.requests.storage
  pod templates containers with name, image and command; unique container
                port names (<= 15 chars); volumeMounts naming volumes; each
                persistentVolumeClaim.claimName defined here; probes on
                declared ports
  MPIJob        kubeflow.org/v2beta1 as mpi-operator validates it: integer
                slotsPerWorker >= 1, runPolicy.cleanPodPolicy in None /
                Running / All, non-negative backoffLimit and deadlines,
                mpiImplementation in OpenMPI / Intel / MPICH,
                mpiReplicaSpecs with Launcher (replicas 1) and Worker
                (replicas >= 1) only, restartPolicy Never / OnFailure, the
                worker pod names valid DNS labels
  wasmhpc       the launcher runs wasmhpc-pool --head SERVICE:PORT naming a
                Service port here, with -np <= Worker replicas x
                slotsPerWorker; the head's --data-dir lies on its volume
  Kustomization resources that exist

A set of broken manifests must each be rejected for the expected reason
(a self-check of the checks).

usage: k8s_manifests_test.py DEPLOY_KUBERNETES_DIR
"""
import os
import re
import sys

try:
    import yaml
except ImportError:
    sys.exit("FAIL: python3-yaml is missing (deploy/local/install-deps.sh "
             "installs it)")

KNOWN_KINDS = {
    ("v1", "Service"), ("v1", "PersistentVolumeClaim"), ("v1", "Secret"),
    ("v1", "ConfigMap"), ("apps/v1", "Deployment"),
    ("kubeflow.org/v2beta1", "MPIJob"),
    ("kustomize.config.k8s.io/v1beta1", "Kustomization"),
}
DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
MPI_IMPLEMENTATIONS = {"OpenMPI", "Intel", "MPICH"}
CLEAN_POD_POLICIES = {"None", "Running", "All"}
RESTART_POLICIES = {"Never", "OnFailure"}
ACCESS_MODES = {"ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany",
                "ReadWriteOncePod"}


def is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def get(obj, path, default=None):
    """obj['a']['b'] for path 'a.b'; default where a step is missing."""
    for key in path.split("."):
        if not isinstance(obj, dict) or key not in obj:
            return default
        obj = obj[key]
    return obj


class Checker:
    """Collects violations over a set of {file: [objects]}."""

    def __init__(self, files, root):
        self.files = files
        self.root = root  # the directory the files are in
        self.problems = []
        self.objects = [(f, o) for f, docs in files.items() for o in docs
                        if isinstance(o, dict)]

    def fail(self, where, message):
        self.problems.append("%s: %s" % (where, message))

    def by_kind(self, kind):
        return [(f, o) for f, o in self.objects if o.get("kind") == kind]

    def pod_templates(self):
        """(where, template) for every pod template here."""
        for f, o in self.by_kind("Deployment"):
            yield self.where(f, o), get(o, "spec.template") or {}
        for f, o in self.by_kind("MPIJob"):
            specs = get(o, "spec.mpiReplicaSpecs") or {}
            for role, spec in specs.items() if isinstance(specs, dict) else []:
                yield ("%s %s" % (self.where(f, o), role),
                       get(spec, "template") or {})

    @staticmethod
    def where(f, o):
        return "%s: %s/%s" % (f, o.get("kind"), get(o, "metadata.name"))

    def run(self):
        for f, docs in self.files.items():
            for i, o in enumerate(docs):
                if not isinstance(o, dict):
                    self.fail(f, "document %d is not a mapping" % (i + 1))
        for f, o in self.objects:
            self.check_object(f, o)
        checks = {"Deployment": self.check_deployment,
                  "Service": self.check_service,
                  "PersistentVolumeClaim": self.check_pvc,
                  "MPIJob": self.check_mpijob,
                  "Kustomization": self.check_kustomization}
        for f, o in self.objects:
            if o.get("kind") in checks:
                checks[o["kind"]](self.where(f, o), o)
        for where, template in self.pod_templates():
            self.check_pod(where, template)
        self.check_wasmhpc()
        return self.problems

    def check_object(self, f, o):
        where = self.where(f, o)
        for field in ("apiVersion", "kind"):
            if not isinstance(o.get(field), str) or not o.get(field):
                self.fail(where, "%s missing" % field)
        if (o.get("apiVersion"), o.get("kind")) not in KNOWN_KINDS:
            self.fail(where, "apiVersion %r kind %r is not one of %s" % (
                o.get("apiVersion"), o.get("kind"), sorted(KNOWN_KINDS)))
        if o.get("kind") == "Kustomization":
            return
        name = get(o, "metadata.name")
        if not isinstance(name, str) or not name:
            self.fail(where, "metadata.name missing")
        elif not DNS_SUBDOMAIN.fullmatch(name) or len(name) > 253:
            self.fail(where, "metadata.name %r is not a DNS-1123 name" % name)
        elif o.get("kind") == "Service" and (
                not DNS_LABEL.fullmatch(name) or len(name) > 63):
            self.fail(where, "a Service name must be a DNS-1123 label")

    def check_deployment(self, where, o):
        replicas = get(o, "spec.replicas", 1)
        if not is_int(replicas) or replicas < 0:
            self.fail(where, "spec.replicas %r is not a count" % replicas)
        selector = get(o, "spec.selector.matchLabels")
        labels = get(o, "spec.template.metadata.labels") or {}
        if not isinstance(selector, dict) or not selector:
            self.fail(where, "spec.selector.matchLabels missing (apps/v1 "
                      "requires a selector)")
        elif any(labels.get(k) != v for k, v in selector.items()):
            self.fail(where, "spec.selector.matchLabels %s does not match "
                      "the template's labels %s" % (selector, labels))
        strategy = get(o, "spec.strategy.type", "RollingUpdate")
        if strategy not in ("Recreate", "RollingUpdate"):
            self.fail(where, "spec.strategy.type %r unknown" % strategy)
        claims = [get(v, "persistentVolumeClaim.claimName")
                  for v in get(o, "spec.template.spec.volumes") or []]
        single_writer = [c for c in claims if c and "ReadWriteOnce" in
                         (get(self.pvc(c), "spec.accessModes") or [])]
        if single_writer and (replicas != 1 or strategy != "Recreate"):
            self.fail(where, "uses ReadWriteOnce claim %s: needs replicas 1 "
                      "and strategy Recreate (one RocksDB writer), has %r "
                      "and %s" % (single_writer[0], replicas, strategy))

    def pvc(self, name):
        for _, o in self.by_kind("PersistentVolumeClaim"):
            if get(o, "metadata.name") == name:
                return o
        return None

    def check_service(self, where, o):
        selector = get(o, "spec.selector")
        if not isinstance(selector, dict) or not selector:
            self.fail(where, "spec.selector missing: the Service would "
                      "select no pods")
            return
        selected = [t for _, t in self.pod_templates()
                    if all((get(t, "metadata.labels") or {}).get(k) == v
                           for k, v in selector.items())]
        if not selected:
            self.fail(where, "spec.selector %s matches no pod template here"
                      % selector)
        ports = get(o, "spec.ports")
        if not isinstance(ports, list) or not ports:
            self.fail(where, "spec.ports missing")
            return
        exposed = set()
        for t in selected:
            for c in get(t, "spec.containers") or []:
                for p in c.get("ports") or []:
                    exposed.update([p.get("name"), p.get("containerPort")])
        names = [p.get("name") for p in ports]
        if len(ports) > 1 and (None in names or len(set(names)) != len(names)):
            self.fail(where, "ports need unique names when there are several")
        for p in ports:
            port = p.get("port")
            if not is_int(port) or not 0 < port < 65536:
                self.fail(where, "port %r is not a port number" % port)
            target = p.get("targetPort", port)
            if selected and target not in exposed:
                self.fail(where, "targetPort %r is not a port of the selected "
                          "containers (%s)" % (target, sorted(
                              map(str, exposed - {None}))))

    def check_pvc(self, where, o):
        modes = get(o, "spec.accessModes")
        if not isinstance(modes, list) or not modes or \
                not set(modes) <= ACCESS_MODES:
            self.fail(where, "spec.accessModes %r not a list of %s" % (
                modes, sorted(ACCESS_MODES)))
        if not get(o, "spec.resources.requests.storage"):
            self.fail(where, "spec.resources.requests.storage missing")

    def check_pod(self, where, template):
        spec = get(template, "spec")
        if not isinstance(spec, dict):
            self.fail(where, "template.spec missing")
            return
        containers = spec.get("containers")
        if not isinstance(containers, list) or not containers:
            self.fail(where, "template.spec.containers is empty")
            return
        volumes = {v.get("name"): v for v in spec.get("volumes") or []}
        for v in volumes.values():
            claim = get(v, "persistentVolumeClaim.claimName")
            if "persistentVolumeClaim" in v and self.pvc(claim) is None:
                self.fail(where, "volume %s: claimName %r is not a "
                          "PersistentVolumeClaim defined here" %
                          (v.get("name"), claim))
            if "secret" in v and not get(v, "secret.secretName"):
                self.fail(where, "volume %s: secret.secretName missing" %
                          v.get("name"))
        seen = set()
        for c in containers:
            name = c.get("name")
            cw = "%s container %s" % (where, name)
            if not name or not DNS_LABEL.fullmatch(str(name)):
                self.fail(cw, "name missing or not a DNS-1123 label")
            if name in seen:
                self.fail(cw, "container name used twice")
            seen.add(name)
            if not c.get("image"):
                self.fail(cw, "image missing")
            command = c.get("command")
            if not isinstance(command, list) or not command or \
                    not all(isinstance(a, str) for a in command):
                self.fail(cw, "command missing (a list of strings)")
            args = c.get("args", [])
            if not isinstance(args, list) or \
                    not all(isinstance(a, str) for a in args):
                self.fail(cw, "args must be a list of strings (quote "
                          "numbers)")
            ports = {}
            for p in c.get("ports") or []:
                number = p.get("containerPort")
                if not is_int(number) or not 0 < number < 65536:
                    self.fail(cw, "containerPort %r is not a port number" %
                              number)
                pname = p.get("name")
                if pname is not None and (len(pname) > 15 or pname in ports):
                    self.fail(cw, "port name %r is longer than 15 characters "
                              "or used twice" % pname)
                ports[pname] = number
            for mount in c.get("volumeMounts") or []:
                if mount.get("name") not in volumes:
                    self.fail(cw, "volumeMount %r names no volume of the pod"
                              % mount.get("name"))
                if not str(mount.get("mountPath", "")).startswith("/"):
                    self.fail(cw, "volumeMount %r: mountPath not absolute" %
                              mount.get("name"))
            for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
                http = get(c, probe + ".httpGet")
                if http is None:
                    continue
                if not str(http.get("path", "")).startswith("/"):
                    self.fail(cw, "%s path %r" % (probe, http.get("path")))
                port = http.get("port")
                if port not in ports and port not in ports.values():
                    self.fail(cw, "%s port %r is not a declared container "
                              "port" % (probe, port))

    def check_mpijob(self, where, o):
        spec = o.get("spec")
        if not isinstance(spec, dict):
            self.fail(where, "spec missing")
            return
        slots = spec.get("slotsPerWorker")
        if not is_int(slots) or slots < 1:
            self.fail(where, "spec.slotsPerWorker %r is not an integer >= 1"
                      % (slots,))
        implementation = spec.get("mpiImplementation", "OpenMPI")
        if implementation not in MPI_IMPLEMENTATIONS:
            self.fail(where, "spec.mpiImplementation %r is not one of %s" % (
                implementation, sorted(MPI_IMPLEMENTATIONS)))
        if "sshAuthMountPath" in spec and \
                not str(spec["sshAuthMountPath"]).startswith("/"):
            self.fail(where, "spec.sshAuthMountPath must be an absolute path")
        policy = spec.get("runPolicy")
        if not isinstance(policy, dict):
            self.fail(where, "spec.runPolicy missing")
            policy = {}
        clean = policy.get("cleanPodPolicy")
        if clean is None and policy:
            self.fail(where, "spec.runPolicy.cleanPodPolicy missing (what "
                      "happens to worker pods when the pool ends: one of %s)"
                      % sorted(CLEAN_POD_POLICIES))
        elif clean is not None and clean not in CLEAN_POD_POLICIES:
            self.fail(where, "spec.runPolicy.cleanPodPolicy %r is not one of "
                      "%s" % (clean, sorted(CLEAN_POD_POLICIES)))
        for field in ("backoffLimit", "ttlSecondsAfterFinished",
                      "activeDeadlineSeconds"):
            if field in policy and (not is_int(policy[field]) or
                                    policy[field] < 0):
                self.fail(where, "spec.runPolicy.%s %r is not a "
                          "non-negative integer" % (field, policy[field]))
        replicas = spec.get("mpiReplicaSpecs")
        if not isinstance(replicas, dict):
            self.fail(where, "spec.mpiReplicaSpecs missing")
            return
        for role in set(replicas) - {"Launcher", "Worker"}:
            self.fail(where, "spec.mpiReplicaSpecs.%s: only Launcher and "
                      "Worker exist" % role)
        for role, wanted in (("Launcher", "== 1"), ("Worker", ">= 1")):
            rspec = replicas.get(role)
            if not isinstance(rspec, dict):
                self.fail(where, "spec.mpiReplicaSpecs.%s missing" % role)
                continue
            count = rspec.get("replicas")
            ok = is_int(count) and (count == 1 if role == "Launcher"
                                    else count >= 1)
            if not ok:
                self.fail(where, "spec.mpiReplicaSpecs.%s.replicas %r, must "
                          "be %s" % (role, count, wanted))
            restart = rspec.get("restartPolicy", "Never")
            if restart not in RESTART_POLICIES:
                self.fail(where, "spec.mpiReplicaSpecs.%s.restartPolicy %r "
                          "is not one of %s" % (role, restart,
                                                sorted(RESTART_POLICIES)))
            if not isinstance(get(rspec, "template.spec"), dict):
                self.fail(where, "spec.mpiReplicaSpecs.%s.template.spec "
                          "missing" % role)
        workers = get(replicas, "Worker.replicas")
        name = get(o, "metadata.name", "")
        if is_int(workers) and workers >= 1:
            last_pod = "%s-worker-%d" % (name, workers - 1)
            if not DNS_LABEL.fullmatch(last_pod) or len(last_pod) > 63:
                self.fail(where, "worker pod name %r is not a DNS label" %
                          last_pod)

    def check_kustomization(self, where, o):
        for resource in o.get("resources") or []:
            if not os.path.exists(os.path.join(self.root, resource)):
                self.fail(where, "resource %s does not exist" % resource)

    def check_wasmhpc(self):
        """The launcher reaches a Service here; ranks fit the workers; the
        head keeps its data on its volume."""
        services = {}
        for _, s in self.by_kind("Service"):
            for p in get(s, "spec.ports") or []:
                services.setdefault(get(s, "metadata.name"), set()).add(
                    p.get("port"))
        for f, o in self.by_kind("MPIJob"):
            where = self.where(f, o)
            containers = get(o, "spec.mpiReplicaSpecs.Launcher.template.spec."
                             "containers") or []
            argv = []
            for c in containers:
                if any("wasmhpc-pool" in str(a) for a in c.get("command") or []):
                    argv = [str(a) for a in c.get("args") or []]
            if not argv:
                self.fail(where, "no Launcher container runs wasmhpc-pool")
                continue
            head = argv[argv.index("--head") + 1] if "--head" in argv[:-1] \
                else None
            host, _, port = (head or "").rpartition(":")
            if not head or not port.isdigit() or \
                    int(port) not in services.get(host, set()):
                self.fail(where, "wasmhpc-pool --head %r is not SERVICE:PORT "
                          "of a Service here (%s)" % (head, {
                              k: sorted(v) for k, v in services.items()}))
            mpirun = argv[argv.index("--") + 1:] if "--" in argv else []
            if "--" in mpirun:
                mpirun = mpirun[:mpirun.index("--")]
            np = next((mpirun[i + 1] for i, a in enumerate(mpirun[:-1])
                       if a in ("-np", "-n", "--np")), None)
            slots = get(o, "spec.slotsPerWorker")
            workers = get(o, "spec.mpiReplicaSpecs.Worker.replicas")
            if np is None or not np.isdigit():
                self.fail(where, "mpirun arguments after -- give no -np N")
            elif is_int(slots) and is_int(workers) and \
                    int(np) > slots * workers:
                self.fail(where, "-np %s exceeds Worker replicas x "
                          "slotsPerWorker = %d" % (np, slots * workers))
            elif int(np) < 2:
                self.fail(where, "-np %s leaves no rank to run jobs (rank 0 "
                          "controls)" % np)
        for f, o in self.by_kind("Deployment"):
            for c in get(o, "spec.template.spec.containers") or []:
                if not any("wasmhpc-head" in str(a) for a in
                           c.get("command") or []):
                    continue
                args = " ".join(str(a) for a in c.get("args") or [])
                match = re.search(r"--data-dir[= ](\S+)", args)
                mounts = [m.get("mountPath", "") for m in
                          c.get("volumeMounts") or []]
                if not match:
                    self.fail(self.where(f, o), "wasmhpc-head without "
                              "--data-dir")
                elif not any(match.group(1).startswith(m.rstrip("/") + "/")
                             for m in mounts):
                    self.fail(self.where(f, o), "--data-dir %s is on no "
                              "volume mount (%s): data would be lost with "
                              "the pod" % (match.group(1), mounts))


def load(directory):
    """{relative file: [objects]}; parse errors as problems."""
    files, problems = {}, []
    for name in sorted(os.listdir(directory)):
        if not name.endswith((".yaml", ".yml")):
            continue
        try:
            with open(os.path.join(directory, name)) as stream:
                files[name] = [d for d in yaml.safe_load_all(stream)
                               if d is not None]
        except yaml.YAMLError as error:
            problems.append("%s: does not parse: %s" % (name, error))
    return files, problems


def check_texts(texts, root):
    """Problems of manifests given as {file name: YAML text}."""
    files = {name: [d for d in yaml.safe_load_all(text) if d is not None]
             for name, text in texts.items()}
    return Checker(files, root).run()


def self_check(directory):
    """Each broken variant of the real manifests must be rejected for its
    reason; the real ones must pass first."""
    texts = {name: open(os.path.join(directory, name)).read()
             for name in os.listdir(directory)
             if name.endswith((".yaml", ".yml"))}
    head, pool = texts["head.yaml"], texts["pool-mpijob.yaml"]
    broken = [
        ("head.yaml", head.replace("replicas: 1\n  strategy:\n    type: "
                                   "Recreate", "replicas: 2\n  strategy:\n"
                                   "    type: RollingUpdate"),
         "needs replicas 1 and strategy Recreate"),
        ("head.yaml", head.replace("      labels:\n        app.kubernetes.io"
                                   "/name: wasmhpc\n        app.kubernetes.io"
                                   "/component: head\n    spec:",
                                   "      labels:\n        app.kubernetes.io"
                                   "/name: wasmhpc\n        app.kubernetes.io"
                                   "/component: other\n    spec:"),
         "does not match the template's labels"),
        ("head.yaml", head.replace("claimName: wasmhpc-data",
                                   "claimName: wasmhpc-dat"),
         "claimName 'wasmhpc-dat' is not a PersistentVolumeClaim"),
        ("head.yaml", head.replace("targetPort: http", "targetPort: rest"),
         "targetPort 'rest' is not a port"),
        ("head.yaml", head.replace("          image: wasmhpc:latest\n", ""),
         "image missing"),
        ("head.yaml", head.replace("--data-dir=/var/lib/wasmhpc/data",
                                   "--data-dir=/tmp/data"),
         "is on no volume mount"),
        ("pool-mpijob.yaml", pool.replace("kubeflow.org/v2beta1",
                                          "kubeflow.org/v1"),
         "apiVersion 'kubeflow.org/v1'"),
        ("pool-mpijob.yaml", pool.replace("slotsPerWorker: 4",
                                          "slotsPerWorker: \"4\""),
         "slotsPerWorker '4' is not an integer"),
        ("pool-mpijob.yaml", pool.replace("mpiImplementation: OpenMPI",
                                          "mpiImplementation: LAM"),
         "mpiImplementation 'LAM'"),
        ("pool-mpijob.yaml", pool.replace("cleanPodPolicy: Running",
                                          "cleanPodPolicy: Sometimes"),
         "cleanPodPolicy 'Sometimes'"),
        ("pool-mpijob.yaml", pool.replace("    Launcher:\n      replicas: 1",
                                          "    Launcher:\n      replicas: 2"),
         "Launcher.replicas 2, must be == 1"),
        ("pool-mpijob.yaml", pool.replace("    Worker:\n      replicas: 2",
                                          "    Worker:\n      replicas: 0"),
         "Worker.replicas 0, must be >= 1"),
        ("pool-mpijob.yaml", pool.replace("- \"8\"", "- \"9\""),
         "-np 9 exceeds"),
        ("pool-mpijob.yaml", pool.replace("wasmhpc-head:7070",
                                          "wasmhpc-hed:7070"),
         "is not SERVICE:PORT"),
        ("pool-mpijob.yaml", pool.replace("command: [/usr/sbin/sshd]", ""),
         "command missing"),
        ("pool-mpijob.yaml", "apiVersion: kubeflow.org/v2beta1\nkind: MPIJob"
         "\nmetadata:\n  name: x\nspec:\n  slotsPerWorker: 1\n",
         "spec.runPolicy missing"),
    ]
    clean = check_texts(texts, directory)
    if clean:
        return clean
    for name, text, expected in broken:
        if text == texts[name]:
            sys.exit("FAIL: self-check: the broken variant for %r did not "
                     "change %s (the manifest changed: update the test)" %
                     (expected, name))
        problems = check_texts(dict(texts, **{name: text}), directory)
        if not any(expected in p for p in problems):
            sys.exit("FAIL: self-check: a manifest broken for %r is not "
                     "rejected for it; problems: %s" % (expected, problems))
    return []


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    directory = sys.argv[1]
    files, problems = load(directory)
    if not files:
        problems.append("%s: no manifests" % directory)
    if not problems:
        problems = Checker(files, directory).run()
    if not problems:
        problems = self_check(directory)
    if problems:
        print("FAIL:\n  " + "\n  ".join(problems), file=sys.stderr)
        sys.exit(1)
    print("PASS: %s (%d objects); %s" % (
        ", ".join(files), sum(len(d) for d in files.values()),
        "every broken variant rejected"))


if __name__ == "__main__":
    main()
