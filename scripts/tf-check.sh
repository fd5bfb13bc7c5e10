#!/usr/bin/env bash
# make tf-check: Terraform formatting; `terraform validate` and `terraform test` (mocked providers)
# of both environments and `terraform test` of the stack and service modules wherever the AWS provider can be had —
# from a local provider mirror (TF_PLUGIN_DIR, else /opt/tf-plugins or ~/.terraform.d/plugins) or
# from registry.terraform.io — and the agreement tests (Terraform and docker compose against the
# code), which always run. It says which of these it skipped and why.
set -euo pipefail
# No CLI configuration is needed: when the one named (or ~/.terraformrc) does not exist, an empty
# one keeps terraform from warning about it on every command.
[ -e "${TF_CLI_CONFIG_FILE:-$HOME/.terraformrc}" ] || export TF_CLI_CONFIG_FILE=/dev/null
cd "$(dirname "$0")/../infra/terraform"

plugin_dir() {
  for dir in "${TF_PLUGIN_DIR:-}" /opt/tf-plugins "$HOME/.terraform.d/plugins"; do
    if [ -n "$dir" ] && [ -d "$dir/registry.terraform.io/hashicorp/aws" ]; then
      echo "$dir"
      return
    fi
  done
}

# A scratch data dir per run (TF_DATA_DIR), so .terraform/ never lands in the working tree. No
# dependency lock file is committed yet: one made from a local mirror holds only this platform's
# hash, and `terraform init` on any other platform would then refuse the provider it downloads
# (`terraform providers lock -platform=...` needs the registry). The lock files init writes here
# are removed again.
created_locks=()
tf_init() {
  local chdir=$1
  [ -e "$chdir/.terraform.lock.hcl" ] || created_locks+=("$PWD/$chdir/.terraform.lock.hcl") # absolute: cleanup runs after the final cd
  if [ -n "$mirror" ]; then
    terraform -chdir="$chdir" init -backend=false -input=false -no-color -plugin-dir="$mirror" >/dev/null
  else
    terraform -chdir="$chdir" init -backend=false -input=false -no-color >/dev/null
  fi
}
cleanup() {
  rm -rf "${TF_DATA_DIR:-/nonexistent}"
  if [ ${#created_locks[@]} -gt 0 ]; then rm -f "${created_locks[@]}"; fi
}

if command -v terraform >/dev/null; then
  terraform fmt -check -recursive -diff .
  echo "tf-check: terraform fmt ok"
  mirror=$(plugin_dir)
  if [ -n "$mirror" ] || timeout 5 bash -c 'exec 3<>/dev/tcp/registry.terraform.io/443' 2>/dev/null; then
    echo "tf-check: providers from ${mirror:-registry.terraform.io}"
    export TF_DATA_DIR
    TF_DATA_DIR=$(mktemp -d)
    trap cleanup EXIT
    for env in envs/dev envs/prod; do
      tf_init "$env"
      terraform -chdir="$env" validate -no-color
      terraform -chdir="$env" test -no-color
      rm -rf "${TF_DATA_DIR:?}"/*
    done
    for module in modules/stack modules/service; do
      tf_init "$module"
      terraform -chdir="$module" test -no-color
      rm -rf "${TF_DATA_DIR:?}"/*
    done
  else
    echo "tf-check: skipped terraform validate and test: no provider mirror (set TF_PLUGIN_DIR) and registry.terraform.io is unreachable"
  fi
else
  echo "tf-check: terraform is not installed; skipped fmt, validate and test"
fi

cd ../..
npx vitest run --project infra-unit
