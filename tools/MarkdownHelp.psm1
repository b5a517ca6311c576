<#
    Turns platyPS-schema markdown (docs/*.md) into MAML help and about_*.help.txt, for machines
    where platyPS cannot be installed. Where platyPS is present, build.ps1 uses it instead.
#>
Set-StrictMode -Version 3.0

$script:Ns = @{
    maml = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev = 'http://schemas.microsoft.com/maml/dev/2004/10'
}

# Splits a markdown file into its '## ' sections; each is a list of lines.
function Get-MarkdownSection([string[]] $Lines) {
    $sections = [ordered]@{}
    $current = $null
    $inFence = $false
    foreach ($line in $Lines) {
        if ($line -match '^```') { $inFence = -not $inFence }
        if (-not $inFence -and $line -match '^## (.+)$') {
            $current = $Matches[1].Trim()
            $sections[$current] = [Collections.Generic.List[string]]::new()
        }
        elseif ($null -ne $current) { $sections[$current].Add($line) }
    }
    $sections
}

# Paragraphs of plain text: blank lines separate them, fenced code is kept as one paragraph.
function Get-Paragraph([string[]] $Lines) {
    $paragraph = [Collections.Generic.List[string]]::new()
    $inFence = $false
    foreach ($line in $Lines) {
        if ($line -match '^```') {
            $inFence = -not $inFence
            continue
        }
        if (-not $inFence -and [string]::IsNullOrWhiteSpace($line)) {
            if ($paragraph.Count) { $paragraph -join "`n"; $paragraph.Clear() }
            continue
        }
        $paragraph.Add($(if ($inFence) { $line } else { $line.Trim() }))
    }
    if ($paragraph.Count) { $paragraph -join "`n" }
}

# '### ' subsections (parameters, examples, inputs, outputs) with their lines.
function Get-Subsection([string[]] $Lines) {
    $items = [Collections.Generic.List[object]]::new()
    $inFence = $false
    foreach ($line in $Lines) {
        if ($line -match '^```') { $inFence = -not $inFence }
        if (-not $inFence -and $line -match '^### (.+)$') {
            $items.Add([pscustomobject]@{ Title = $Matches[1].Trim(); Lines = [Collections.Generic.List[string]]::new() })
        }
        elseif ($items.Count) { $items[$items.Count - 1].Lines.Add($line) }
    }
    $items
}

function Read-CommandMarkdown([string] $Path) {
    $sections = Get-MarkdownSection (Get-Content -LiteralPath $Path)
    $name = ((Get-Content -LiteralPath $Path) | Where-Object { $_ -match '^# ' } | Select-Object -First 1) -replace '^# ', ''
    # A parameter has one yaml block per group of parameter sets that share its attributes.
    $parameters = foreach ($item in Get-Subsection $sections['PARAMETERS']) {
        if ($item.Title -notmatch '^-(\w+)$') { continue }
        $parameterName = $Matches[1]
        $blocks = [Collections.Generic.List[object]]::new()
        $text = [Collections.Generic.List[string]]::new()
        $yaml = $null
        foreach ($line in $item.Lines) {
            if ($line -match '^```yaml') { $yaml = @{}; continue }
            if ($null -ne $yaml -and $line -match '^```') {
                $blocks.Add([pscustomobject]@{
                        Sets = @(($yaml['Parameter Sets'] -split ',') | ForEach-Object Trim); Type = $yaml['Type']; Aliases = $yaml['Aliases']
                        Required = $yaml['Required']; Position = $yaml['Position']; Default = $yaml['Default value']
                        Pipeline = $yaml['Accept pipeline input']; Wildcards = $yaml['Accept wildcard characters']
                    })
                $yaml = $null
                continue
            }
            if ($null -ne $yaml) { if ($line -match '^([^:]+):\s*(.*)$') { $yaml[$Matches[1].Trim()] = $Matches[2].Trim() } }
            else { $text.Add($line) }
        }
        [pscustomobject]@{ Name = $parameterName; Description = @(Get-Paragraph $text); Blocks = $blocks.ToArray() }
    }
    $examples = foreach ($item in Get-Subsection $sections['EXAMPLES']) {
        $code = [Collections.Generic.List[string]]::new()
        $remarks = [Collections.Generic.List[string]]::new()
        $inFence = $false
        foreach ($line in $item.Lines) {
            if ($line -match '^```') { $inFence = -not $inFence; continue }
            if ($inFence) { $code.Add($line) } else { $remarks.Add($line) }
        }
        [pscustomobject]@{ Title = $item.Title; Code = $code -join "`n"; Remarks = @(Get-Paragraph $remarks) }
    }
    [pscustomobject]@{
        Name = $name
        Synopsis = @(Get-Paragraph $sections['SYNOPSIS']) -join ' '
        Description = @(Get-Paragraph $sections['DESCRIPTION'])
        SyntaxSets = @(Get-Subsection $sections['SYNTAX'] | ForEach-Object { $_.Title -replace ' \(Default\)$', '' })
        Parameters = @($parameters)
        Examples = @($examples)
        Inputs = @(Get-Subsection $sections['INPUTS'] | ForEach-Object { [pscustomobject]@{ Type = $_.Title; Text = @(Get-Paragraph $_.Lines) } })
        Outputs = @(Get-Subsection $sections['OUTPUTS'] | ForEach-Object { [pscustomobject]@{ Type = $_.Title; Text = @(Get-Paragraph $_.Lines) } })
        Notes = @(Get-Paragraph $sections['NOTES'])
        Links = @($sections['RELATED LINKS'] | Where-Object { $_ -match '^\[(.+?)\]\((.*?)\)' } | ForEach-Object { [pscustomobject]@{ Text = $Matches[1]; Uri = $Matches[2] } })
    }
}

function Add-Element($Parent, [string] $Qualified, [string] $Text) {
    $prefix, $local = $Qualified -split ':'
    $element = $Parent.OwnerDocument.CreateElement($prefix, $local, $script:Ns[$prefix])
    if ($null -ne $Text) { $element.InnerText = $Text }
    $null = $Parent.AppendChild($element)
    $element
}

function Add-Paragraphs($Parent, [string[]] $Paragraphs) {
    $description = Add-Element $Parent 'maml:description'
    foreach ($p in $Paragraphs) { $null = Add-Element $description 'maml:para' $p }
    if (-not $Paragraphs) { $null = Add-Element $description 'maml:para' '' }
}

function Add-Parameter($Parent, $Parameter, $Block) {
    $position = if ($Block.Position -and $Block.Position -ne 'Named') { $Block.Position } else { 'named' }
    $element = Add-Element $Parent 'command:parameter'
    $element.SetAttribute('required', ($Block.Required -eq 'True').ToString().ToLowerInvariant())
    $element.SetAttribute('variableLength', ($Block.Type -like '*[[]]').ToString().ToLowerInvariant())
    $element.SetAttribute('globbing', ($Block.Wildcards -eq 'True').ToString().ToLowerInvariant())
    $element.SetAttribute('pipelineInput', $Block.Pipeline)
    $element.SetAttribute('position', $position)
    $element.SetAttribute('aliases', $(if ($Block.Aliases) { $Block.Aliases } else { 'none' }))
    $null = Add-Element $element 'maml:name' $Parameter.Name
    Add-Paragraphs $element $Parameter.Description
    if ($Block.Type -ne 'SwitchParameter') {
        $value = Add-Element $element 'command:parameterValue' $Block.Type
        $value.SetAttribute('required', 'true')
        $value.SetAttribute('variableLength', 'false')
    }
    $type = Add-Element $element 'dev:type'
    $null = Add-Element $type 'maml:name' $Block.Type
    $null = Add-Element $element 'dev:defaultValue' $Block.Default
}

function ConvertTo-MamlDocument([object[]] $Commands) {
    $doc = [xml]'<?xml version="1.0" encoding="utf-8"?><helpItems schema="maml" xmlns="http://msh" />'
    foreach ($c in $Commands) {
        $command = $doc.CreateElement('command', 'command', $script:Ns.command)
        foreach ($prefix in 'maml', 'command', 'dev') { $command.SetAttribute("xmlns:$prefix", $script:Ns[$prefix]) }
        $null = $doc.DocumentElement.AppendChild($command)
        $details = Add-Element $command 'command:details'
        $null = Add-Element $details 'command:name' $c.Name
        $null = Add-Element $details 'command:verb' ($c.Name -split '-')[0]
        $null = Add-Element $details 'command:noun' ($c.Name -split '-', 2)[1]
        Add-Paragraphs $details @($c.Synopsis)
        Add-Paragraphs $command $c.Description
        $syntax = Add-Element $command 'command:syntax'
        $sets = @($c.SyntaxSets | ForEach-Object { if ($_ -eq '__AllParameterSets') { '(All)' } else { $_ } })
        if (-not $sets) { $sets = @('(All)') }
        foreach ($set in $sets) {
            $item = Add-Element $syntax 'command:syntaxItem'
            $null = Add-Element $item 'maml:name' $c.Name
            foreach ($p in $c.Parameters) {
                $block = $p.Blocks | Where-Object { $_.Sets -contains '(All)' -or $_.Sets -contains $set -or $set -eq '(All)' } | Select-Object -First 1
                if ($block) { Add-Parameter $item $p $block }
            }
        }
        $parameters = Add-Element $command 'command:parameters'
        foreach ($p in $c.Parameters) { Add-Parameter $parameters $p $p.Blocks[0] }
        foreach ($kind in @(@{ List = 'command:inputTypes'; Item = 'command:inputType'; Values = $c.Inputs }, @{ List = 'command:returnValues'; Item = 'command:returnValue'; Values = $c.Outputs })) {
            $list = Add-Element $command $kind.List
            foreach ($v in $kind.Values) {
                $item = Add-Element $list $kind.Item
                $type = Add-Element $item 'dev:type'
                $null = Add-Element $type 'maml:name' $v.Type
                Add-Paragraphs $item $v.Text
            }
        }
        $alerts = Add-Element $command 'maml:alertSet'
        foreach ($n in $c.Notes) { $alert = Add-Element $alerts 'maml:alert'; $null = Add-Element $alert 'maml:para' $n }
        $examples = Add-Element $command 'command:examples'
        foreach ($e in $c.Examples) {
            $example = Add-Element $examples 'command:example'
            $null = Add-Element $example 'maml:title' "-------------------------- $($e.Title) --------------------------"
            $null = Add-Element $example 'dev:code' $e.Code
            $remarks = Add-Element $example 'dev:remarks'
            foreach ($r in $e.Remarks) { $null = Add-Element $remarks 'maml:para' $r }
        }
        $links = Add-Element $command 'command:relatedLinks'
        foreach ($l in $c.Links) {
            $link = Add-Element $links 'maml:navigationLink'
            $null = Add-Element $link 'maml:linkText' $l.Text
            $null = Add-Element $link 'maml:uri' $l.Uri
        }
    }
    $doc
}

# An about topic in help-text form: headings upper-case at the margin, text indented by four.
function ConvertTo-AboutText([string] $Path) {
    $out = [Collections.Generic.List[string]]::new()
    $inFence = $false
    foreach ($line in Get-Content -LiteralPath $Path) {
        if ($line -match '^```') { $inFence = -not $inFence; continue }
        if ($inFence) { $out.Add("        $line"); continue }
        if ($line -match '^#+ (.+)$') {
            if ($out.Count) { $out.Add('') }
            $out.Add($Matches[1].ToUpperInvariant())
            continue
        }
        $out.Add($(if ($line) { "    $($line -replace '`', '')" } else { '' }))
    }
    $out
}

<#
.SYNOPSIS
    Writes <OutputFolder>/<HelpFileName> (MAML) from the cmdlet markdown and an
    about_*.help.txt for each about_*.md in -DocsFolder.
#>
function Export-MarkdownHelp {
    param(
        [Parameter(Mandatory)][string] $DocsFolder,
        [Parameter(Mandatory)][string] $OutputFolder,
        [Parameter(Mandatory)][string] $HelpFileName
    )
    $null = New-Item -ItemType Directory -Force $OutputFolder
    $commands = Get-ChildItem -LiteralPath $DocsFolder -Filter '*-*.md' | Sort-Object Name | ForEach-Object { Read-CommandMarkdown $_.FullName }
    (ConvertTo-MamlDocument $commands).Save((Join-Path $OutputFolder $HelpFileName))
    foreach ($about in Get-ChildItem -LiteralPath $DocsFolder -Filter 'about_*.md') {
        ConvertTo-AboutText $about.FullName | Set-Content -LiteralPath (Join-Path $OutputFolder "$($about.BaseName).help.txt")
    }
}

Export-ModuleMember -Function Export-MarkdownHelp, Read-CommandMarkdown
