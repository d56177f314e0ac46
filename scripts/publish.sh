#!/usr/bin/env bash
# Release publish of the four services (what the images are built from). CI runs it as is; it needs no container
# engine or registry. To build and push the OCI images, add the container target (docs/deployment.md):
#   scripts/publish.sh /t:PublishContainer -p:ContainerRegistry=<registry> [-p:Version=<version>]
# Extra arguments are passed to every `dotnet publish`.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

projects=(
  services/scim-edge/ScimEdge.Api/ScimEdge.Api.csproj
  services/users/Users.Api/Users.Api.csproj
  services/roles/Roles.Api/Roles.Api.csproj
  services/orgunits/OrgUnits.Api/OrgUnits.Api.csproj
)

for project in "${projects[@]}"; do
  name=$(basename "$project" .csproj)
  echo "publishing $name"
  dotnet publish "$project" -c Release -nologo -clp:ErrorsOnly -o "artifacts/publish/$name" "$@"
done
echo "published ${#projects[@]} services to artifacts/publish/"
