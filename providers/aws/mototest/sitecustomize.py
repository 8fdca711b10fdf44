# Loaded by the Python that runs moto_server, which mototest starts with this
# file's directory first on PYTHONPATH. It changes no answer moto gives; it
# only makes AWS managed policies cheap.
#
# With MOTO_IAM_LOAD_MANAGED_POLICIES=true, moto builds its whole catalogue
# of AWS managed policies (about 1,500, parsed from one large JSON text each
# time) into every IAM backend it creates: one per account and partition,
# and a request signed with an access key moto did not issue creates the
# backends of every partition of every account it has seen. Each costs a tenth of a
# second or more; an account costs about a second, and a reset about a second
# for every account seen since the last one. Here the catalogue is parsed
# once per server, and a backend builds its copy when it is first asked for
# its managed policies, which a backend of a partition the tests never use
# never is. Every backend that is asked holds the same policies as before.
#
# If moto's internals are not the ones this expects, nothing is changed and
# moto loads its policies as it always does, only slower.

import json
import sys
import threading


def _patch():
    try:
        from moto.iam import models
    except Exception:
        return False
    backend = getattr(models, "IAMBackend", None)
    policy = getattr(models, "AWSManagedPolicy", None)
    data = getattr(models, "aws_managed_policies_data", None)
    enabled = getattr(models, "load_iam_aws_managed_policies", None)
    if backend is None or policy is None or not isinstance(data, str) or enabled is None:
        return False
    if not hasattr(backend, "_init_aws_policies") or not hasattr(backend, "_init_managed_policies"):
        return False
    if "aws_managed_policies" in vars(backend) or "managed_policies" in vars(backend):
        return False  # already class attributes: not the moto this was written for

    parsed = []
    pending = object()
    # moto serves requests on threads: two first requests to one backend
    # must not both build its policies, or the second would replace a dict
    # the first has already added a customer managed policy to.
    lock = threading.Lock()

    def catalogue():
        if not parsed:
            parsed.append(json.loads(data))
        return parsed[0]

    def build(self):
        d = self.__dict__
        if d.get("_mototest_aws", pending) is not pending and d.get("_mototest_managed", pending) is not pending:
            return
        with lock:
            if d.get("_mototest_aws", pending) is pending:
                aws = []
                if enabled():
                    aws = [policy.from_data(name, self.account_id, self.region_name, doc) for name, doc in catalogue().items()]
                d["_mototest_aws"] = aws
            if d.get("_mototest_managed", pending) is pending:
                d["_mototest_managed"] = {p.arn: p for p in d["_mototest_aws"]}

    def attribute(key):
        def get(self):
            build(self)
            return self.__dict__[key]

        def set(self, value):
            self.__dict__[key] = value

        return property(get, set)

    backend._init_aws_policies = lambda self: pending
    backend._init_managed_policies = lambda self: pending
    backend.aws_managed_policies = attribute("_mototest_aws")
    backend.managed_policies = attribute("_mototest_managed")
    return True


if _patch():
    print("mototest: AWS managed policies parsed once, built per IAM backend on first use", file=sys.stderr, flush=True)
