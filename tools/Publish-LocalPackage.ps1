<#
.SYNOPSIS
    Packs a built module as <Name>.<Version>.nupkg into -OutputFolder, through a temporary
    PSResourceGet repository. Run it in a pwsh whose HOME is a temporary folder: registering a
    repository writes to the user's PSResourceGet settings.
#>
param(
    [Parameter(Mandatory)][string] $ModulePath,
    [Parameter(Mandatory)][string] $OutputFolder
)
$ErrorActionPreference = 'Stop'
$repository = Join-Path ([IO.Path]::GetTempPath()) "mnesis-pack-$([guid]::NewGuid().ToString('N'))"
$null = New-Item -ItemType Directory $repository
$name = "MnesisPack$([guid]::NewGuid().ToString('N').Substring(0, 8))"
Register-PSResourceRepository -Name $name -Uri $repository -Trusted
try {
    Publish-PSResource -Path $ModulePath -Repository $name -SkipDependenciesCheck
    $null = New-Item -ItemType Directory -Force $OutputFolder
    Get-ChildItem -LiteralPath $repository -Filter *.nupkg | Copy-Item -Destination $OutputFolder -PassThru | ForEach-Object FullName
}
finally {
    Unregister-PSResourceRepository -Name $name
    Remove-Item -Recurse -Force $repository
}
