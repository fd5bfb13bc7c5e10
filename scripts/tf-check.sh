#!/usr/bin/env bash
# make tf-check: Terraform formatting, validation where providers can be downloaded, and the
# agreement tests (Terraform and docker compose against the code), which always run.
set -euo pipefail
cd "$(dirname "$0")/../infra/terraform"

if command -v terraform >/dev/null; then
  terraform fmt -check -recursive -diff .
  echo "tf-check: terraform fmt ok"
  # Providers come from registry.terraform.io; offline machines cannot download them.
  if timeout 5 bash -c 'exec 3<>/dev/tcp/registry.terraform.io/443' 2>/dev/null; then
    for env in envs/dev envs/prod; do
      terraform -chdir="$env" init -backend=false -input=false -no-color >/dev/null
      terraform -chdir="$env" validate -no-color
    done
  else
    echo "tf-check: skipped terraform init/validate: registry.terraform.io is unreachable, providers cannot be downloaded here"
  fi
else
  echo "tf-check: terraform is not installed; skipped fmt and validate"
fi

cd ../..
npx vitest run --project infra-unit
