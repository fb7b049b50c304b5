import Foundation

extension Gazetteer {
    /// Common given names (English-speaking countries and beyond), lower case: a capitalised word among them is a
    /// person unless its context says otherwise. Written for Engram; incomplete by design.
    static let givenNames: Set<String> = Set(
        """
        aaron abby abigail adam adrian aiden alan albert alex alexa alexander alexandra alice alicia alison allison
        amanda amber amelia amy ana andrea andrew andy angela anna anne annie anthony antonio april aria ariana arthur
        ashley austin ava barbara ben benjamin beth betty bill billy bob bobby brad bradley brandon brenda brian
        brittany brooke bruce bryan caleb cameron carl carla carlos carol caroline carter catherine charles charlie
        charlotte chloe chris christian christina christine christopher claire clara cody colin connor craig crystal
        cynthia daisy dan daniel danielle david dean deborah debbie denise dennis derek diana diane dominic donald
        donna dorothy dylan ed eddie edward elena eli elijah elizabeth ella ellen ellie emily emma eric erica erin
        ethan eva evan evelyn faith felix fiona frank gabriel gabriella gary george gina grace greg gregory hannah
        harold harper harry hayden heather helen henry holly ian isaac isabel isabella isla ivan jack jackson jacob
        jade jake james jamie jane janet jared jasmine jason jay jeff jeffrey jen jenna jennifer jenny jeremy jerry
        jess jesse jessica jill jim jimmy joan joanna joe joel john johnny jon jonathan jordan jose joseph josh
        joshua joy joyce juan judy julia julian julie justin karen kate katherine kathryn katie kayla keith kelly
        ken kevin kim kimberly kyle laura lauren leah lee leo leon liam lily linda lisa liz logan louis lucas lucy
        luis luke lydia madison maggie maria mariah marie mark martha martin mary mason matt matthew max maya megan
        mel melanie melissa mia michael michelle mike mila miles molly morgan nancy natalie nate nathan neil nick
        nicholas nicole nina noah nora oliver olivia oscar owen pam pamela patricia patrick paul paula peter
        philip rachel ralph raymond rebecca ricardo richard rick riley rob robert robin roger ron ronald rose ruby
        russell ruth ryan sam samantha samuel sandra sara sarah scarlett scott sean sebastian sharon sophia sophie
        stella stephanie stephen steve steven sue susan tanya taylor teresa terry thomas tim timothy tina todd tom
        tommy tony tracy tyler valerie vanessa victor victoria vincent violet walter wayne wendy william willow
        xavier zachary zoe zoey ahmed ali fatima mohammed omar priya raj rahul aisha wei li chen yuki hiroshi kenji
        sofia mateo lucia diego pablo carmen javier marco giulia luca pierre hans anja lars ingrid olga
        dmitri sergei kofi amara chidi nia
        """.split(whereSeparator: \.isWhitespace).map(String.init))
}
